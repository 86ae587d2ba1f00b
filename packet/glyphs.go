package packet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Which characters print is decided by the embedded fonts themselves:
// their cmap tables map each character they draw to a glyph. fpdf
// indexes its glyph tables by rune up to U+FFFF only (and panics past
// it), so only a font's BMP map (cmap format 4) counts.

// drawn is the set of characters both fonts draw, so a character prints
// the same in regular and bold. It is read once.
var drawn = sync.OnceValues(func() (*runeSet, error) {
	regular, err := cmapBMP(fontRegular)
	if err != nil {
		return nil, fmt.Errorf("DejaVuSans.ttf: %w", err)
	}
	bold, err := cmapBMP(fontBold)
	if err != nil {
		return nil, fmt.Errorf("DejaVuSans-Bold.ttf: %w", err)
	}
	for i := range regular {
		regular[i] &= bold[i]
	}
	return regular, nil
})

// runeSet is a set of BMP runes, one bit each.
type runeSet [0x10000 / 64]uint64

func (s *runeSet) add(r rune) { s[r/64] |= 1 << (r % 64) }

func (s *runeSet) has(r rune) bool { return r >= 0 && r < 0x10000 && s[r/64]&(1<<(r%64)) != 0 }

var errFont = errors.New("not a TrueType font with a BMP character map (cmap format 4)")

// cmapBMP reads the characters a TrueType font maps to a glyph other
// than .notdef from its first Unicode format-4 cmap subtable.
func cmapBMP(ttf []byte) (*runeSet, error) {
	cmap, ok := table(ttf, "cmap")
	if !ok || len(cmap) < 4 {
		return nil, errFont
	}
	n := int(u16(cmap, 2))
	for i := range n {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return nil, errFont
		}
		platform, encoding, off := u16(cmap, rec), u16(cmap, rec+2), int(binary.BigEndian.Uint32(cmap[rec+4:]))
		unicode := platform == 0 || platform == 3 && encoding == 1
		if unicode && off+2 <= len(cmap) && u16(cmap, off) == 4 {
			return format4(cmap[off:])
		}
	}
	return nil, errFont
}

// table is the body of the font's table tag.
func table(ttf []byte, tag string) ([]byte, bool) {
	if len(ttf) < 12 {
		return nil, false
	}
	for i := range int(u16(ttf, 4)) {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, false
		}
		off, n := int(binary.BigEndian.Uint32(ttf[rec+8:])), int(binary.BigEndian.Uint32(ttf[rec+12:]))
		if string(ttf[rec:rec+4]) == tag && off >= 0 && n >= 0 && off+n <= len(ttf) {
			return ttf[off : off+n], true
		}
	}
	return nil, false
}

// format4 reads a cmap format-4 subtable (segments of characters, each
// mapped by a delta or through the glyph id array).
func format4(t []byte) (*runeSet, error) {
	if len(t) < 14 {
		return nil, errFont
	}
	seg := int(u16(t, 6)) / 2
	ends, starts, deltas, ranges := 14, 16+2*seg, 16+4*seg, 16+6*seg
	if ranges+2*seg > len(t) {
		return nil, errFont
	}
	set := &runeSet{}
	for s := range seg {
		start, end := int(u16(t, starts+2*s)), int(u16(t, ends+2*s))
		delta, rangeOff, at := u16(t, deltas+2*s), int(u16(t, ranges+2*s)), ranges+2*s
		for c := start; c <= end && c < 0xFFFF; c++ {
			g := uint16(c) + delta
			if rangeOff != 0 {
				addr := at + rangeOff + 2*(c-start)
				if addr+2 > len(t) {
					return nil, errFont
				}
				if g = u16(t, addr); g != 0 {
					g += delta
				}
			}
			if g != 0 {
				set.add(rune(c))
			}
		}
	}
	return set, nil
}

func u16(b []byte, at int) uint16 { return binary.BigEndian.Uint16(b[at:]) }

// printable writes text as the summary prints it: a character both fonts
// draw as itself, a line break as one, anything else (emoji, scripts
// DejaVu Sans lacks, control characters) as [U+XXXX], so nothing is
// silently dropped or shown as a box. audit.csv and audit.jsonl keep
// every character.
func printable(text string) (string, error) {
	set, err := drawn()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range text {
		if r == '\n' || r >= ' ' && r != 0x7f && set.has(r) {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "[U+%04X]", r)
	}
	return b.String(), nil
}
