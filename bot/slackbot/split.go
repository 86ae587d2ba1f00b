package slackbot

import (
	"strings"
	"unicode/utf8"
)

// splitMrkdwn cuts converted mrkdwn into pieces of at most max characters
// (Slack counts characters of the text as sent, escapes included). It
// never cuts inside an escape (&amp;) or an angle-bracket construct
// (<@U123>, <url|label>, <!here>): a piece ending in half of one is
// refused (invalid_blocks) or shows broken text. It cuts at the last line
// break that fits, else the last space, else the last safe point.
func splitMrkdwn(s string, max int) []string {
	var out []string
	for utf8.RuneCountInString(s) > max {
		cut := cutPoint(s, max)
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], "\n ")
	}
	return append(out, s)
}

// cutPoint is the byte offset at which to end a piece of s of at most max
// characters (s is longer than that).
func cutPoint(s string, max int) int {
	lastNL, lastSpace, lastSafe := -1, -1, -1
	inAngle, inEntity := false, false
	n := 0
	for i, r := range s {
		if n == max {
			break
		}
		n++
		safe := !inAngle && !inEntity // a cut before s[i]
		if safe && i > 0 {
			lastSafe = i
			switch r {
			case '\n':
				lastNL = i
			case ' ':
				lastSpace = i
			}
		}
		switch {
		case r == '<':
			inAngle = true
		case r == '>' && inAngle:
			inAngle = false
		case r == '&' && !inAngle:
			inEntity = true
		case r == ';' && inEntity:
			inEntity = false
		}
	}
	// The cut right at max characters, if that point is safe.
	if end := byteOffset(s, max); !inAngle && !inEntity && end > 0 {
		if end < len(s) && s[end] == '\n' {
			return end
		}
		lastSafe = end
	}
	// A line break or space in the second half makes a neat cut; one
	// nearer the start would leave a short piece, so any safe point is
	// better then.
	half := byteOffset(s, max/2)
	for _, c := range []int{lastNL, lastSpace} {
		if c >= half {
			return c
		}
	}
	for _, c := range []int{lastSafe, lastNL, lastSpace} {
		if c > 0 {
			return c
		}
	}
	// One construct longer than a whole piece: cut it (Slack shows the
	// text; a refused block would show nothing).
	return byteOffset(s, max)
}

// byteOffset is the byte offset of the n-th character of s.
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// clipMrkdwn shortens converted mrkdwn to at most max characters, marking
// the cut, without cutting an escape or a construct.
func clipMrkdwn(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return strings.TrimRight(s[:cutPoint(s, max-1)], " \n") + "…"
}
