package slackbot

import (
	"encoding/binary"

	"github.com/caisbot/caisbot/dialogs"
)

// appendReplyKey appends an encoding of every field of a step card, each
// string with its length, so that two replies encode alike only if they
// are equal. It is written out because cache.AppendKey's reflection was a
// tenth of a /cais-next's own work; TestReplyKeyKnowsEveryField fails when
// Reply, Part, Action or Confirm gains a field not encoded here. A reply
// with a form or a file is not a card to keep (false).
func appendReplyKey(b []byte, r dialogs.Reply) ([]byte, bool) {
	if r.Form != nil || r.File != nil {
		return b, false
	}
	b = appendKeyString(b, r.Title)
	b = binary.AppendUvarint(b, uint64(len(r.Parts)))
	for _, p := range r.Parts {
		b = appendKeyString(binary.AppendVarint(b, int64(p.Kind)), p.Text)
	}
	b = binary.AppendUvarint(b, uint64(len(r.Actions)))
	for _, a := range r.Actions {
		b = appendKeyString(appendKeyString(appendKeyString(b, a.Label), string(a.Style)), a.Value)
		b = appendKeyBool(b, a.Secondary)
		b = appendKeyBool(b, a.Confirm != nil)
		if c := a.Confirm; c != nil {
			b = appendKeyString(appendKeyString(appendKeyString(appendKeyString(b, c.Title), c.Text), c.OK), c.Cancel)
		}
	}
	b = appendKeyString(b, r.Public)
	b = appendKeyBool(b, r.Replace)
	b = appendKeyString(appendKeyString(appendKeyString(b, r.FormToken), r.FormError), r.FormField)
	b = binary.AppendUvarint(b, uint64(len(r.FormMore)))
	for _, m := range r.FormMore {
		b = appendKeyString(appendKeyString(b, m.Field), m.Message)
	}
	return appendKeyBool(b, r.Changed), true
}

func appendKeyString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendKeyBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}
