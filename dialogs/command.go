package dialogs

import (
	"strings"
	"unicode/utf8"
)

// Command is a parsed user command ("status", "deadline 2 2027-01-15").
type Command struct {
	Name string
	Args []string
	// Raw is the text as typed, for "Unknown command" replies.
	Raw string
	// User is the person a roles command (`admins add @name`) names, as
	// the platform resolved the mention; "" when it named no one.
	User string
}

// Command names.
const (
	CmdNext      = "next"
	CmdStatus    = "status"
	CmdHistory   = "history"
	CmdExport    = "export"
	CmdVerify    = "verify"
	CmdDeadlines = "deadlines"
	CmdDeadline  = "deadline"
	CmdAnnounce  = "announce"
	CmdUndo      = "undo"
	CmdReset     = "reset"
	CmdHelp      = "help"
	CmdEvidence  = "evidence"
	CmdProfile   = "profile"
	CmdPacket    = "packet"
	// Roles per workspace (roles.go) and the bureau console (console.go).
	CmdAdmins     = "admins"
	CmdPrincipals = "principals"
	CmdFirms      = "firms"
	CmdUnknown    = "unknown"
	CmdTooLong    = "too_long"
)

// MaxCommandLen bounds what a user may type after the command.
const MaxCommandLen = 200

var commandNames = map[string]bool{
	CmdNext: true, CmdStatus: true, CmdHistory: true, CmdExport: true, CmdVerify: true,
	CmdDeadlines: true, CmdDeadline: true, CmdAnnounce: true, CmdUndo: true, CmdReset: true, CmdHelp: true,
	CmdEvidence: true, CmdProfile: true, CmdPacket: true, CmdAdmins: true, CmdPrincipals: true, CmdFirms: true,
}

// ParseCommand reads the words after the slash command (or a chat message).
// It never fails: bad input becomes CmdUnknown or CmdTooLong.
func ParseCommand(text string) Command {
	if len(text) > MaxCommandLen {
		return Command{Name: CmdTooLong, Raw: strings.ToValidUTF8(truncate(text, 40), "?")}
	}
	if !utf8.ValidString(text) {
		return Command{Name: CmdUnknown, Raw: strings.ToValidUTF8(text, "?")}
	}
	words := strings.Fields(text)
	if len(words) == 0 {
		return Command{Name: CmdNext}
	}
	name := strings.ToLower(words[0])
	if !commandNames[name] {
		return Command{Name: CmdUnknown, Raw: text}
	}
	return Command{Name: name, Args: words[1:], Raw: text}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
