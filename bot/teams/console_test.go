package teams

import (
	"strings"
	"testing"

	"github.com/caisbot/caisbot/dialogs"
	"github.com/caisbot/caisbot/firm"
)

// In channel scope, `firms` lists the tenant's firms to an admin in their
// personal chat, refuses in a channel (everyone would see it), and roles
// cannot be changed by command on Teams.
func TestFirmsOnTeams(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Scope = firm.ChannelScope })
	r.h.cfg.Service.Firms = r.store
	if got := cardString(r.say(admin, "deadline 1 2026-12-20").Card); !strings.Contains(got, "Target") && !strings.Contains(got, "target") {
		t.Fatalf("deadline: %s", got)
	}
	if got := cardString(r.say(admin, "firms").Card); !strings.Contains(got, "Ask in your personal chat") || strings.Contains(got, "most urgent") {
		t.Errorf("firms in a channel: %s", got)
	}
	if got := cardString(r.say(admin, "admins add <at>Bob</at>").Card); !strings.Contains(got, "Slack only for now") {
		t.Errorf("admins add on Teams: %s", got)
	}
	r.conv = "a:1personal-ada"
	if got := cardString(r.say(person("Bob"), "firms").Card); !strings.Contains(got, "Only admins can see the list of every firm") {
		t.Errorf("a non-admin's firms: %s", got)
	}
	list := r.say(admin, "firms")
	got := cardString(list.Card)
	if !strings.Contains(got, "most urgent first") || !strings.Contains(got, "compliance") || !strings.Contains(got, "20 days left") && !strings.Contains(got, "days left") {
		t.Errorf("firms in the personal chat: %s", got)
	}
	// Teams has no direct message beside this chat, and no file: the
	// words say where the list comes.
	if strings.Contains(got, "by direct message") || !strings.Contains(got, "sends you the whole list here, as text to save as a CSV file") {
		t.Errorf("the console's words on Teams: %s", got)
	}
	mark := len(r.bf.connectorCalls())
	if got := cardString(r.click(list, "Download CSV", admin).Card); strings.Contains(got, "by direct message") || !strings.Contains(got, "follows here as text in the next messages (save it as") {
		t.Errorf("the CSV's notice on Teams: %s", got) // the CSV comes by its button
	}
	var csvs []string
	for _, c := range r.bf.connectorCalls()[mark:] {
		if s := cardString(c.Card); strings.Contains(s, "firm,name,current_step") {
			csvs = append(csvs, c.Path+" "+s)
		}
	}
	if len(csvs) != 1 || !strings.Contains(csvs[0], "personal-ada") || !strings.Contains(csvs[0], "teams/"+tenantID+":19:compliance") {
		t.Errorf("the CSV went to %d places: %q", len(csvs), csvs)
	}
}

// Teams cannot change roles by command, so neither help nor the roles
// list offers it; both say who sets them.
func TestTeamsOffersNoRoleCommands(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	help := cardString(r.say(u, "help").Card)
	if strings.Contains(help, "add @name") || !strings.Contains(help, "here the operator sets them: CAIS_ADMIN_USERS, CAIS_PRINCIPALS") {
		t.Errorf("help on Teams:\n%s", help)
	}
	admins := cardString(r.say(u, "admins").Card)
	if strings.Contains(admins, "admins add") || !strings.Contains(admins, "Here the operator sets the admins (CAIS_ADMIN_USERS)") {
		t.Errorf("admins on Teams:\n%s", admins)
	}
}

// Teams attaches no file to a card: the export's words say where it is.
func TestTeamsExportSaysWhereTheFileIs(t *testing.T) {
	r := newRig(t)
	u := person("Uma One")
	r.click(r.say(u, ""), "Yes", u)
	card := cardString(r.say(u, "export").Card)
	if strings.Contains(card, "attached") || !strings.Contains(card, "follows as text in the next messages (save it as **cais-audit-") {
		t.Errorf("export card on Teams:\n%s", card)
	}
	for _, tc := range []struct {
		kind dialogs.FileKind
		want string
	}{
		{dialogs.FilePacket, "is offered as `p.zip` in your personal chat with caisbot: accept it there to save it"},
		{dialogs.FileCSV, "follows as text in the next messages (save it as `p.zip`)"},
	} {
		r := dialogs.Notice("x", "The packet is attached as `p.zip`.")
		r.File = &dialogs.File{Name: "p.zip", Kind: tc.kind}
		if got := fileWords(r).Parts[0].Text; !strings.Contains(got, tc.want) {
			t.Errorf("kind %v: %q, want %q", tc.kind, got, tc.want)
		}
	}
}
