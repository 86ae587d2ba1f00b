// A simulated firm: its prebuilt commands and the card it is on.

package main

import (
	"bytes"
	"fmt"
	"strconv"
)

// commands a firm's team types, prebuilt per firm.
const (
	cmdNext = iota
	cmdStatus
	cmdHistory
	cmdReset
	nCmds
)

var cmdText = [nCmds]string{"", "status", "history", "reset"}
var cmdKind = [nCmds]kind{kNext, kStatus, kHistory, kResetCmd}

// agentsInput is what the simulated user types into the agents modal.
const agentsInput = "Example Clearing LLC\nSample Services Bureau Inc."

// firm is one simulated Slack workspace walking the roadmap. Only its
// worker touches it.
type firm struct {
	run                 string
	idx, gen            int
	team, channel       string
	user, other, admin  string
	cmd                 [nCmds][]byte
	card, action        string // primary button of the firm's current card; "" = unknown
	done                bool   // the roadmap is complete: start over
	cmdResponseURL      string
	completed, restarts int
}

func newFirm(run string, idx int, admin, cmdResponseURL string) *firm {
	f := &firm{run: run, idx: idx, admin: admin, cmdResponseURL: cmdResponseURL}
	f.rebuild()
	return f
}

// rebuild derives the firm's ids and prebuilt command bodies. A new
// generation is a new workspace (used when the bot refuses the reset).
func (f *firm) rebuild() {
	id := fmt.Sprintf("%s%05d", f.run, f.idx)
	if f.gen > 0 {
		id += "G" + strconv.Itoa(f.gen)
	}
	f.team, f.channel = "T"+id, "C"+id
	f.user, f.other = "U"+id+"A", "U"+id+"B"
	for c := range nCmds {
		user := f.user
		if c == cmdReset {
			user = f.admin
		}
		f.cmd[c] = commandBody(f, user, cmdText[c], f.cmdResponseURL)
	}
	f.card, f.action, f.done = "", "", false
}

// learn takes the firm's current card from a reply.
func (f *firm) learn(msg []byte) {
	if aid, v, ok := button(msg, "primary"); ok && bytes.HasPrefix([]byte(v), []byte("c1|choose|")) {
		f.card, f.action, f.done = v, aid, false
		return
	}
	// A step card always has a primary button; none means the roadmap
	// is complete.
	f.card, f.action, f.done = "", "", true
}
