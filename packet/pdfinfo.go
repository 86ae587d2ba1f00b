package packet

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"unicode/utf16"
)

// pdfInfo reads the document information dictionary (Title, Subject …)
// of a PDF as fpdf writes it: one classic cross-reference table at the
// end, no incremental update, no encryption. It follows the table to the
// dictionary rather than searching the bytes, so nothing inside a page
// or a font can pass for it. Any other PDF is errNotOurs.
func pdfInfo(pdf []byte) (map[string]string, error) {
	trailer, offsets, err := xref(pdf)
	if err != nil {
		return nil, err
	}
	m := infoRef.FindSubmatch(trailer)
	if m == nil || bytes.Contains(trailer, []byte("/Prev")) || bytes.Contains(trailer, []byte("/Encrypt")) {
		return nil, errNotOurs
	}
	n, _ := strconv.Atoi(string(m[1]))
	off, ok := offsets[n]
	if !ok {
		return nil, errNotOurs
	}
	head := []byte(strconv.Itoa(n) + " 0 obj\n<<")
	if off < 0 || off > len(pdf) || !bytes.HasPrefix(pdf[off:], head) {
		return nil, errNotOurs
	}
	return literalDict(pdf[off+len(head):])
}

// Bounds far above what a summary holds (a few hundred objects, a Subject
// of about a hundred bytes), so a crafted file costs little to refuse.
const (
	maxXrefEntries = 100_000
	maxLiteral     = 4096
)

var (
	errNotOurs = errors.New("not a PDF as caisbot writes it")
	startXref  = regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n?$`)
	subsection = regexp.MustCompile(`^(\d+) (\d+)\n`)
	xrefEntry  = regexp.MustCompile(`^(\d{10}) \d{5} ([nf]) ?\r?\n`)
	infoRef    = regexp.MustCompile(`/Info (\d+) 0 R\n`)
)

// xref reads the cross-reference table startxref points to: the
// trailer dictionary's text and each object's byte offset.
func xref(pdf []byte) (trailer []byte, offsets map[int]int, err error) {
	m := startXref.FindSubmatch(pdf)
	if m == nil {
		return nil, nil, errNotOurs
	}
	at, err := strconv.Atoi(string(m[1]))
	if err != nil || at < 0 || at > len(pdf) || !bytes.HasPrefix(pdf[at:], []byte("xref\n")) {
		return nil, nil, errNotOurs
	}
	rest, offsets := pdf[at+len("xref\n"):], map[int]int{}
	for !bytes.HasPrefix(rest, []byte("trailer\n<<")) {
		s := subsection.FindSubmatch(rest)
		if s == nil {
			return nil, nil, errNotOurs
		}
		first, _ := strconv.Atoi(string(s[1]))
		count, _ := strconv.Atoi(string(s[2]))
		if count > maxXrefEntries-len(offsets) {
			return nil, nil, errNotOurs
		}
		rest = rest[len(s[0]):]
		for i := range count {
			e := xrefEntry.FindSubmatch(rest)
			if e == nil {
				return nil, nil, errNotOurs
			}
			if string(e[2]) == "n" {
				offsets[first+i], _ = strconv.Atoi(string(e[1]))
			}
			rest = rest[len(e[0]):]
		}
	}
	end := bytes.Index(rest, []byte(">>"))
	if end < 0 {
		return nil, nil, errNotOurs
	}
	return rest[:end+2], offsets, nil
}

// literalDict reads a dictionary whose values are all literal strings,
// up to its ">>", as fpdf writes the document information.
func literalDict(b []byte) (map[string]string, error) {
	out := map[string]string{}
	for {
		b = bytes.TrimLeft(b, " \r\n\t")
		if bytes.HasPrefix(b, []byte(">>")) {
			return out, nil
		}
		key := dictKey.Find(b)
		if key == nil {
			return nil, errNotOurs
		}
		b = bytes.TrimLeft(b[len(key):], " ")
		value, rest, ok := literal(b)
		if !ok {
			return nil, errNotOurs
		}
		out[string(key[1:])] = value
		b = rest
	}
}

var dictKey = regexp.MustCompile(`^/[A-Za-z]+`)

// literal reads a PDF literal string "( … )" at the start of b: its text
// (UTF-16BE when it starts with the byte order mark, else bytes as
// written) and what follows it.
func literal(b []byte) (string, []byte, bool) {
	if len(b) == 0 || b[0] != '(' {
		return "", nil, false
	}
	var raw []byte
	depth := 1
	for i := 1; i < len(b) && len(raw) <= maxLiteral; i++ {
		c := b[i]
		switch {
		case c == '\\' && i+1 < len(b):
			i++
			raw = append(raw, unescape(b, &i))
			continue
		case c == '(':
			depth++
		case c == ')':
			if depth--; depth == 0 {
				return decodeText(raw), b[i+1:], true
			}
		}
		raw = append(raw, c)
	}
	return "", nil, false
}

// unescape is the character of the escape at b[*i] (after its
// backslash), leaving *i on its last byte.
func unescape(b []byte, i *int) byte {
	switch c := b[*i]; c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case '0', '1', '2', '3', '4', '5', '6', '7':
		v := 0
		for k := 0; k < 3 && *i < len(b) && b[*i] >= '0' && b[*i] <= '7'; k++ {
			v = v*8 + int(b[*i]-'0')
			*i++
		}
		*i--
		return byte(v)
	default:
		return c // \( \) \\ and any other: the character itself
	}
}

func decodeText(raw []byte) string {
	if len(raw) < 2 || raw[0] != 0xFE || raw[1] != 0xFF {
		return string(raw)
	}
	u := make([]uint16, 0, len(raw)/2)
	for i := 2; i+1 < len(raw); i += 2 {
		u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(u))
}
