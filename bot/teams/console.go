package teams

import (
	"strings"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// consoleGuard answers, in place of dialogs, the commands Teams does not
// serve where they were typed: `firms` outside channel scope or outside a
// personal chat (a Teams message is seen by the whole conversation, and a
// channel may be shared with the client firm), and changing roles (a
// Teams mention carries no Entra object id). nil: let dialogs answer.
func (h *Handler) consoleGuard(a *Activity, cmd dialogs.Command) *dialogs.Reply {
	var n dialogs.Reply
	switch {
	case cmd.Name == dialogs.CmdFirms && h.cfg.Scope != firm.ChannelScope:
		n = dialogs.Notice("One firm in this tenant", "This tenant runs one roadmap for the whole tenant, so there is no list of firms. Type `{cmd} status` to see where it stands.")
	case cmd.Name == dialogs.CmdFirms && !a.isPersonal():
		n = dialogs.Notice("Ask in your personal chat", "The list of firms is for admins only, and everyone here would see it. Open your personal chat with caisbot and type `{cmd} firms` there. Nothing was shared.")
	case (cmd.Name == dialogs.CmdAdmins || cmd.Name == dialogs.CmdPrincipals) && len(cmd.Args) > 0 &&
		(strings.EqualFold(cmd.Args[0], "add") || strings.EqualFold(cmd.Args[0], "remove")):
		n = dialogs.Notice("Roles unchanged", "On Teams, admins and principals are set by the operator (CAIS_ADMIN_USERS, CAIS_PRINCIPALS, with Entra object ids); changing them with a command works in Slack only for now. Nothing was changed.")
	default:
		return nil
	}
	return &n
}
