package slackbot

import "strings"

// The dialogs markup has three constructs: **bold**, [label](http(s)://url)
// and @{USERID}. They were found with regular expressions, which cost a
// tenth of a click's allocations; these scanners find exactly what the
// expressions found (FuzzMarkupMatchesRegexp holds them to it), and
// allocate nothing for text without markup, as most button labels are:
//
//	bold    \*\*(.+?)\*\*
//	link    \[([^\]]+)\]\((https?://[^)\s<>]+)\)
//	mention @\{([A-Z0-9]{2,32})\}
//
// Like Regexp.ReplaceAllString, each finds its matches leftmost first and
// without overlap, and the conversions apply them one after the other.

// target says what a construct becomes: Slack mrkdwn (*bold*,
// <url|label>, <@ID>) or plain text (bold, label, @ID). It is a flag, not
// a function, so that the builder stays on the stack.
type target bool

const (
	toMrkdwn target = true
	toPlain  target = false
)

// replaceBold replaces every **text** (text not empty, on one line).
func replaceBold(s string, to target) string {
	var b strings.Builder
	last, from := 0, 0
	for {
		i := strings.Index(s[from:], "**")
		if i < 0 {
			break
		}
		i += from
		end := boldEnd(s, i)
		if end < 0 {
			from = i + 1
			continue
		}
		grow(&b, s)
		b.WriteString(s[last:i])
		if to == toMrkdwn {
			b.WriteByte('*')
			b.WriteString(s[i+2 : end-2])
			b.WriteByte('*')
		} else {
			b.WriteString(s[i+2 : end-2])
		}
		last, from = end, end
	}
	return finish(&b, s, last)
}

// boldEnd is the end of the bold that opens at i, or -1: the first "**"
// after at least one character, with no line break before it.
func boldEnd(s string, i int) int {
	start := i + 2
	if start >= len(s) {
		return -1
	}
	j := strings.Index(s[start+1:], "**")
	if j < 0 {
		return -1
	}
	j += start + 1
	if strings.IndexByte(s[start:j], '\n') >= 0 {
		return -1
	}
	return j + 2
}

// replaceLinks replaces every [label](http(s)://url).
func replaceLinks(s string, to target) string {
	var b strings.Builder
	last, from := 0, 0
	for {
		i := strings.IndexByte(s[from:], '[')
		if i < 0 {
			break
		}
		i += from
		label, url, end := linkAt(s, i)
		if end < 0 {
			from = i + 1
			continue
		}
		grow(&b, s)
		b.WriteString(s[last:i])
		if to == toMrkdwn {
			b.WriteByte('<')
			b.WriteString(url)
			b.WriteByte('|')
			b.WriteString(label)
			b.WriteByte('>')
		} else {
			b.WriteString(label)
		}
		last, from = end, end
	}
	return finish(&b, s, last)
}

// linkAt matches a link opening at i: its label, its URL and its end, or
// end -1.
func linkAt(s string, i int) (label, url string, end int) {
	k := strings.IndexByte(s[i+1:], ']')
	if k < 1 { // none, or an empty label
		return "", "", -1
	}
	k += i + 1
	rest := s[k+1:]
	if !strings.HasPrefix(rest, "(") {
		return "", "", -1
	}
	u := rest[1:]
	switch {
	case strings.HasPrefix(u, "https://"):
		u = u[len("https://"):]
	case strings.HasPrefix(u, "http://"):
		u = u[len("http://"):]
	default:
		return "", "", -1
	}
	n := strings.IndexAny(u, ")\t\n\f\r <>")
	if n < 1 || u[n] != ')' {
		return "", "", -1
	}
	urlStart := k + 2
	urlEnd := urlStart + (len(rest[1:]) - len(u)) + n
	return s[i+1 : k], s[urlStart:urlEnd], urlEnd + 1
}

// replaceMentions replaces every @{ID} (2 to 32 of A–Z and 0–9).
func replaceMentions(s string, to target) string {
	var b strings.Builder
	last, from := 0, 0
	for {
		i := strings.Index(s[from:], "@{")
		if i < 0 {
			break
		}
		i += from
		n := 0
		for i+2+n < len(s) && isIDByte(s[i+2+n]) {
			n++
		}
		if n < 2 || n > 32 || i+2+n >= len(s) || s[i+2+n] != '}' {
			from = i + 1
			continue
		}
		grow(&b, s)
		b.WriteString(s[last:i])
		if to == toMrkdwn {
			b.WriteString("<@")
			b.WriteString(s[i+2 : i+2+n])
			b.WriteByte('>')
		} else {
			b.WriteByte('@')
			b.WriteString(s[i+2 : i+2+n])
		}
		last = i + 3 + n
		from = last
	}
	return finish(&b, s, last)
}

// grow sizes b once for the converted s, which is about as long.
func grow(b *strings.Builder, s string) {
	if b.Cap() == 0 {
		b.Grow(len(s) + 16)
	}
}

func isIDByte(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

// finish is s itself when nothing matched (no copy), else what b holds
// followed by the rest of s.
func finish(b *strings.Builder, s string, last int) string {
	if last == 0 && b.Len() == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
