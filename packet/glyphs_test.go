package packet

import "testing"

// The embedded fonts' own maps decide what prints: Latin, accents and
// the marks the summary uses do; emoji, CJK and control characters are
// written as code points.
func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Société Générale — “x” ✓ ⚠ •", "Société Générale — “x” ✓ ⚠ •"},
		{"🚀 Rocket Bureau", "[U+1F680] Rocket Bureau"},
		{"東京 Securities", "[U+6771][U+4EAC] Securities"},
		{"a\tb\nc\x7f", "a[U+0009]b\nc[U+007F]"},
		{"*Bold* _it_ <!channel> `x`", "*Bold* _it_ <!channel> `x`"},
	} {
		if got, err := printable(c.in); err != nil || got != c.want {
			t.Errorf("printable(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
