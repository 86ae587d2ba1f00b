package dialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caisbot/caisbot/firm"
)

// HomeRows is how many firms the Home tab lists (its 100 blocks also
// hold the counts and the notes).
const HomeRows = 20

// ChannelsOf gives the channels a user is in (the platform's member
// lists), for a non-admin's Home.
type ChannelsOf func(ctx context.Context, user string) (map[string]bool, error)

// ConsoleHome is the Home tab in channel scope as viewer sees it: an
// admin, the most urgent firms of workspace w and how many are at each
// step; anyone else, the firms of the channels they are in (theirs).
func (s *Service) ConsoleHome(ctx context.Context, w firm.Workspace, viewer string, names ChannelBook, theirs ChannelsOf) (Reply, error) {
	fl, err := s.flowFor(ctx, firm.ID{Platform: w.Platform, Workspace: w.ID})
	if err != nil {
		return Reply{}, err
	}
	var known map[string]string
	if names != nil {
		known = names.ChannelNames(ctx)
	}
	if !fl.isAdmin(viewer) {
		mine, err := theirs(ctx, viewer)
		if err != nil {
			// The platform did not say (a missing permission, a busy
			// moment): the tab says so rather than listing nothing.
			return Notice("Your firms", "caisbot could not look up the channels you are in just now, so it cannot list their firms. Type `{cmd} status` in a firm's channel; if this stays, ask an admin to re-authorize caisbot (it needs to read channel memberships)."), nil
		}
		rows, err := s.Rows(ctx, w, known, mine)
		if err != nil {
			return Reply{}, err
		}
		return s.Flow.yourFirms(rows), nil
	}
	rows, err := s.Rows(ctx, w, known, nil)
	if err != nil {
		return Reply{}, err
	}
	now := s.Now()
	r := s.Flow.ConsoleReply(rows, HomeRows, now)
	if len(rows) > 0 {
		r.Parts = slices.Insert(r.Parts, 1, Part{Kind: Text, Text: stepCounts(rows)})
	}
	more := "Type `{cmd} firms` in any channel for the full list"
	if len(rows) > HomeRows {
		more = fmt.Sprintf("+%d more. ", len(rows)-HomeRows) + more
	}
	r.context(more + "; its CSV comes to you by direct message. You see this as an admin.")
	return r, nil
}

// stepCounts says how many firms are at each step, in roadmap order.
func stepCounts(rows []ConsoleRow) string {
	counts := map[string]int{}
	var order []string
	for _, r := range rows {
		if counts[r.Step] == 0 {
			order = append(order, r.Step)
		}
		counts[r.Step]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return stepOrder(a) - stepOrder(b) })
	parts := make([]string, len(order))
	for i, st := range order {
		parts[i] = fmt.Sprintf("%s: %d", st, counts[st])
	}
	return "**By step:** " + strings.Join(parts, " · ")
}

// stepOrder puts "Step 2" before "Step 10" and outcomes last.
func stepOrder(short string) int {
	var n int
	var tail string
	if _, err := fmt.Sscanf(short, "Step %d%s", &n, &tail); err != nil && n == 0 {
		return 1 << 20
	}
	return n*64 + len(tail)
}

// yourFirms is a non-admin's Home: the firms of their channels.
func (f *Flow) yourFirms(rows []ConsoleRow) Reply {
	r := Reply{Title: "Your firms"}
	if len(rows) == 0 {
		r.text("None of the channels you are in has started a roadmap. Type `{cmd}` in a firm's channel to begin.")
		return r
	}
	shown := rows[:min(HomeRows, len(rows))]
	lines := make([]string, len(shown))
	for i, row := range shown {
		lines[i] = f.rowLine(row)
		if row.Firm.Channel != "" && !strings.Contains(row.Firm.Channel, "|") {
			r.Actions = append(r.Actions, Action{Label: openLabel(row.Name),
				Value: Token{Kind: KindFirm, Choice: row.Firm.Channel}.String()})
		}
	}
	for len(lines) > 0 {
		n := min(rowsPerPart, len(lines))
		r.text(strings.Join(lines[:n], "\n"))
		lines = lines[n:]
	}
	r.context("The firms of the channels you are in, most urgent first. A button shows you that firm's next step in its channel (only you see it).")
	return r
}

// openLabel is a Home button's label: the firm's name, short enough for
// any platform's button.
func openLabel(name string) string {
	if r := []rune(name); len(r) > 40 {
		name = string(r[:39]) + "…"
	}
	return "Next step: " + name
}
