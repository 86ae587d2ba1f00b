package playground

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// conversationsHistory answers with the channel's messages, newest first,
// paginated as Slack does (limit, cursor, oldest, latest, inclusive).
// Ephemeral messages are never in the history; metadata only with
// include_all_metadata.
func (p *Playground) conversationsHistory(a apiArgs) jsonObject {
	ch, ok := p.channel(a.str("channel"))
	if !ok {
		return fail("channel_not_found")
	}
	limit := 100
	if s := a.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return fail("invalid_limit")
		}
		if n > 0 {
			limit = min(n, 999)
		}
	}
	latest, oldest := a.str("latest"), a.str("oldest")
	inclusive := a.boolean("inclusive")
	if c := a.str("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return fail("invalid_cursor")
		}
		latest, inclusive = string(b), false // the page goes on below its last message
	}
	withMeta := a.boolean("include_all_metadata")

	p.mu.Lock()
	defer p.mu.Unlock()
	var out []any
	hasMore := false
	last := ""
	for i := len(p.st.messages) - 1; i >= 0; i-- {
		m := p.st.messages[i]
		if m.Channel != ch || m.Ephemeral || m.System {
			continue
		}
		if latest != "" && (tsLess(latest, m.TS) || (!inclusive && m.TS == latest)) {
			continue
		}
		if oldest != "" && (tsLess(m.TS, oldest) || (!inclusive && m.TS == oldest)) {
			continue
		}
		if len(out) == limit {
			hasMore = true
			break
		}
		out = append(out, p.messageObject(m, withMeta))
		last = m.TS
	}
	if out == nil {
		out = []any{}
	}
	next := ""
	if hasMore {
		next = base64.RawURLEncoding.EncodeToString([]byte(last))
	}
	return jsonObject{
		"messages":          out,
		"has_more":          hasMore,
		"pin_count":         0,
		"response_metadata": jsonObject{"next_cursor": next},
	}
}

// tsLess compares Slack timestamps ("seconds.micros").
func tsLess(a, b string) bool {
	as, af := splitTS(a)
	bs, bf := splitTS(b)
	if as != bs {
		return as < bs
	}
	return af < bf
}

func splitTS(ts string) (sec, micro int64) {
	s, f, _ := strings.Cut(ts, ".")
	sec, _ = strconv.ParseInt(s, 10, 64)
	f = (f + "000000")[:6]
	micro, _ = strconv.ParseInt(f, 10, 64)
	return sec, micro
}
