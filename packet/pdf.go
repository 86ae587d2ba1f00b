package packet

import (
	_ "embed"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// DejaVu Sans (fonts/LICENSE): Unicode TTFs, embedded in every summary
// as subsets of the characters it uses, so the PDF stays small; what
// they do not draw prints as its code point (printable).
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Page geometry (mm) and colours.
const (
	margin  = 18.0
	pageW   = 210.0
	textW   = pageW - 2*margin
	labelW  = 34.0
	lineH   = 4.6
	family  = "DejaVu"
	bodyPt  = 9.5
	smallPt = 8.0
)

type rgb struct{ r, g, b int }

var (
	ink    = rgb{33, 37, 41}
	navy   = rgb{26, 54, 93}
	muted  = rgb{108, 117, 125}
	band   = rgb{232, 238, 246}
	okInk  = rgb{25, 110, 60}
	badInk = rgb{176, 32, 32}
	rule   = rgb{200, 206, 214}
)

// doc is the summary being written: fpdf with the packet's few layouts.
type doc struct {
	*fpdf.Fpdf
}

func newDoc(title, header, footer string) *doc {
	title, header, footer = clean(title), clean(header), clean(footer)
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin)
	f.AddUTF8FontFromBytes(family, "", fontRegular)
	f.AddUTF8FontFromBytes(family, "B", fontBold)
	f.SetTitle(title, true)
	f.SetCreator("caisbot", true)
	f.AliasNbPages("{nb}")
	d := &doc{f}
	f.SetHeaderFunc(func() {
		if f.PageNo() == 1 {
			return
		}
		d.font("", smallPt, muted)
		f.CellFormat(textW/2, lineH, header, "", 0, "L", false, 0, "")
		f.CellFormat(textW/2, lineH, "CAIS exam packet", "", 1, "R", false, 0, "")
		d.hr()
		f.Ln(3)
	})
	f.SetFooterFunc(func() {
		f.SetY(-12)
		d.font("", smallPt, muted)
		f.CellFormat(textW*2/3, lineH, footer, "", 0, "L", false, 0, "")
		f.CellFormat(textW/3, lineH, "Page "+strconv.Itoa(f.PageNo())+" of {nb}", "", 0, "R", false, 0, "")
	})
	return d
}

func (d *doc) font(style string, pt float64, c rgb) {
	d.SetFont(family, style, pt)
	d.SetTextColor(c.r, c.g, c.b)
}

func (d *doc) hr() {
	d.SetDrawColor(rule.r, rule.g, rule.b)
	d.SetLineWidth(0.2)
	y := d.GetY()
	d.Line(margin, y, pageW-margin, y)
}

// room starts a new page unless h mm fit above the bottom margin.
func (d *doc) room(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-margin {
		d.AddPage()
	}
}

// clean is text as the summary prints it (printable). The fonts are
// embedded, so failing to read them is a build fault: it panics, and
// Summary turns that into an error.
func clean(text string) string {
	s, err := printable(text)
	if err != nil {
		panic(err)
	}
	return s
}

// lines wraps text to width w in the current font, keeping its line
// breaks.
func (d *doc) lines(text string, w float64) []string {
	var out []string
	for _, para := range strings.Split(clean(text), "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		out = append(out, d.SplitText(para, w)...)
	}
	return out
}

// para writes wrapped text across the page.
func (d *doc) para(text string, style string, pt float64, c rgb) {
	d.font(style, pt, c)
	for _, l := range d.lines(text, textW) {
		d.CellFormat(textW, lineH, l, "", 1, "L", false, 0, "")
	}
}

// section is a heading with a rule under it, kept with the keep mm that
// follow it.
func (d *doc) section(title string, keep float64) {
	d.room(12 + keep)
	d.Ln(3)
	d.font("B", 12, navy)
	d.CellFormat(textW, 7, title, "", 1, "L", false, 0, "")
	d.hr()
	d.Ln(2)
}

// bullet is a wrapped list item with a hanging indent.
func (d *doc) bullet(text string, c rgb) {
	const indent = 5.0
	d.font("", bodyPt, c)
	for i, l := range d.lines(text, textW-indent) {
		mark := ""
		if i == 0 {
			mark = "•"
		}
		d.CellFormat(indent, lineH, mark, "", 0, "L", false, 0, "")
		d.CellFormat(textW-indent, lineH, l, "", 1, "L", false, 0, "")
	}
}

// bar is a step's heading: bold text on a tinted band, wrapped.
func (d *doc) bar(text string) {
	d.font("B", 10, navy)
	ls := d.lines(text, textW-4)
	d.room(float64(len(ls))*5 + 2 + 3*lineH)
	d.SetFillColor(band.r, band.g, band.b)
	for i, l := range ls {
		d.CellFormat(textW, 5, "  "+l, "", 1, "L", true, 0, "")
		if i == len(ls)-1 {
			d.CellFormat(textW, 1.5, "", "", 1, "L", true, 0, "")
		}
	}
	d.Ln(1.5)
}

// row is a label and its value, wrapped beside it; a value in c.
func (d *doc) row(label, value string, c rgb) {
	d.font("", bodyPt, c)
	ls := d.lines(value, textW-labelW)
	d.room(float64(min(len(ls), 6)) * lineH)
	for i, l := range ls {
		if i > 0 {
			d.room(lineH)
		}
		d.font("B", smallPt, muted)
		lab := ""
		if i == 0 {
			lab = label
		}
		d.CellFormat(labelW, lineH, lab, "", 0, "L", false, 0, "")
		d.font("", bodyPt, c)
		d.CellFormat(textW-labelW, lineH, l, "", 1, "L", false, 0, "")
	}
	if len(ls) > 1 {
		d.Ln(0.8) // a multi-line value stands apart from the next
	}
}
