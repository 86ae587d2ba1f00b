package packet

import (
	"bytes"
	"testing"
)

// The document information reads back as written, escapes and UTF-16
// included; a PDF not laid out as fpdf writes it, or cut short, is not
// read at all.
func TestPDFInfo(t *testing.T) {
	const title = `Smith (Holdings) \ Société — 100% "x"`
	d := newDoc(title, "h", "f")
	d.SetSubject("CAIS audit trail: 1 entry, latest hash none", false)
	d.AddPage()
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		t.Fatal(err)
	}
	info, err := pdfInfo(buf.Bytes())
	if err != nil || info["Title"] != title || info["Subject"] != "CAIS audit trail: 1 entry, latest hash none" || info["Creator"] != "caisbot" {
		t.Errorf("info %q, %v", info, err)
	}
	pdf := buf.Bytes()
	for _, bad := range [][]byte{pdf[:len(pdf)/2], pdf[:len(pdf)-20], append(bytes.Clone(pdf), "trailer\n<<\n/Prev 9\n>>\n"...), nil} {
		if info, err := pdfInfo(bad); err == nil {
			t.Errorf("read %q from a PDF not as fpdf writes it", info)
		}
	}
}
