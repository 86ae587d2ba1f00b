package packet

import (
	"bytes"
	"strings"
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
	// In the trailer itself, so the check that refuses them is what
	// refuses the file (the layout is otherwise intact).
	inTrailer := func(entry string) []byte {
		return bytes.Replace(pdf, []byte("trailer\n<<\n"), []byte("trailer\n<<\n"+entry+"\n"), 1)
	}
	long := newDoc("t", "h", "f") // a well-formed file, so only the bound refuses it
	long.SetSubject(strings.Repeat("x", maxLiteral+1), false)
	long.AddPage()
	var longBuf bytes.Buffer
	if err := long.Output(&longBuf); err != nil {
		t.Fatal(err)
	}
	longSubject := longBuf.Bytes()
	for name, bad := range map[string][]byte{
		"cut in half": pdf[:len(pdf)/2], "cut short": pdf[:len(pdf)-20], "empty": nil,
		"incremental update": inTrailer("/Prev 9"), "encrypted": inTrailer("/Encrypt 9 0 R"),
		"a Subject far longer than any caisbot writes": longSubject,
	} {
		if info, err := pdfInfo(bad); err == nil {
			t.Errorf("%s: read %q from a PDF not as fpdf writes it", name, info)
		}
	}
	if !bytes.Contains(pdf, []byte("trailer\n<<\n")) {
		t.Fatal("the trailer is not where the cases above put their entries")
	}
}

// pdfInfo reads untrusted bytes (a packet handed to verify-packet): it
// may refuse them, never panic.
func FuzzPDFInfo(f *testing.F) {
	d := newDoc("T (x)", "h", "f")
	d.SetSubject("CAIS audit trail: 1 entry, latest hash none", false)
	d.AddPage()
	var buf bytes.Buffer
	if err := d.Output(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("xref\n0 1\n0000000000 65535 f \ntrailer\n<<\n/Info 1 0 R\n>>\nstartxref\n0\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, pdf []byte) {
		if info, err := pdfInfo(pdf); err == nil && len(info["Subject"]) > 4*maxLiteral {
			t.Errorf("a Subject of %d bytes was read", len(info["Subject"]))
		}
	})
}
