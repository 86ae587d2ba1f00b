package dialogs

import (
	"fmt"
	"time"
)

// words says how an entry's line embeds what people typed. Chat
// (chatWords) needs it neutralised, so typed text cannot format, mention
// or link; the packet's PDF renders no markup, so there it goes in
// exactly as typed (plainWords) and our own emphasis is dropped.
type words struct {
	lit    func(string) string                 // free text
	name   func(string) string                 // a name, safe even inside bold
	bold   func(string) string                 // our own emphasis
	code   func(string) string                 // copyable text (a link)
	detail func(string, *time.Location) string // a stored detail, readable, instants in the zone
}

var (
	chatWords = words{
		lit: Lit, name: Name, detail: detailMarkup,
		bold: func(s string) string { return "**" + s + "**" },
		code: func(s string) string { return "`" + Lit(s) + "`" },
	}
	plainWords = words{lit: asTyped, name: asTyped, bold: asTyped, code: asTyped, detail: readableIn}
)

func asTyped(s string) string { return s }

// entryText is e in history's words, as chat markup.
func (f *Flow) entryText(e Entry) string {
	name := e.Step
	if s, ok := f.Roadmap.Step(e.Step); ok {
		name = s.Short()
	}
	return entryWords(e, name, chatWords, f.Loc)
}

// entryWords is e in history's words, step being its step's short name,
// the instants its detail holds in loc.
func entryWords(e Entry, step string, w words, loc *time.Location) string {
	switch e.Action {
	case ActConfirm:
		return fmt.Sprintf("confirmed %s (%s)", step, w.detail(e.Detail, loc))
	case ActUndo:
		return "undid: " + w.detail(e.Detail, loc)
	case ActReopen:
		return w.lit(e.Detail)
	case ActReset:
		return "reset the roadmap (" + w.lit(e.Detail) + ")"
	case ActDeadline:
		return fmt.Sprintf("set the target for %s: %s", step, w.lit(e.Detail))
	case ActDeadlineClear:
		return fmt.Sprintf("cleared the target for %s (%s)", step, w.lit(e.Detail))
	case ActAnnounce:
		return "subscribed " + w.lit(e.Detail) + " to announcements"
	case ActAnnounceOff:
		return "unsubscribed " + w.lit(e.Detail) + " from announcements"
	case ActAnnouncePause, ActAnnounceResume:
		return pauseEntryText(w, e)
	case ActWait, ActWaitEnd:
		return waitEntryText(w, step, e)
	case ActEvidence:
		return evidenceEntryText(w, step, e)
	case ActProfile:
		return profileEntryText(w, e)
	case ActAgents:
		return "changed the CAT Reporting Agents (" + w.detail(e.Detail, loc) + ")"
	case ActSubmit:
		return fmt.Sprintf("confirmed %s for approval (%s)", step, w.detail(e.Detail, loc))
	case ActApprove:
		return fmt.Sprintf("approved %s (%s)", step, w.detail(e.Detail, loc))
	case ActSendBack:
		return fmt.Sprintf("sent %s back: “%s”", step, w.lit(e.Detail))
	}
	return w.lit(e.Action + " " + e.Detail)
}
