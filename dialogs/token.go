package dialogs

import (
	"fmt"
	"strconv"
	"strings"
)

// Token is what a button carries: what the card was drawn from, so a
// stale or repeated click meets the current state and is told the truth.
type Token struct {
	Kind    string // choose | open | reset | cancel | wait | wait_end | target | agents | evidence | profile | approve | send_back
	Step    string
	Choice  string
	Version int64
}

// Token kinds.
const (
	KindChoose = "choose"
	KindOpen   = "open"
	KindReset  = "reset"
	KindCancel = "cancel"
	// KindWait opens (and submits) the "Waiting on" form of Step;
	// KindWaitEnd clears the step's wait.
	KindWait    = "wait"
	KindWaitEnd = "wait_end"
	// KindTarget opens (and submits) the target-date form of Step
	// (admins); KindAgents the form that edits the firm's agents.
	KindTarget = "target"
	KindAgents = "agents"
	// KindEvidence opens (and submits) the evidence form of Step.
	KindEvidence = "evidence"
	// KindProfile opens (and submits) the firm profile form (admins).
	KindProfile = "profile"
	// KindApprove approves the step awaiting approval (Step, Choice);
	// KindSendBack opens (and submits) the form that sends it back.
	KindApprove  = "approve"
	KindSendBack = "send_back"
	// KindFirm opens the card of the firm of channel Choice, from a
	// bureau's Home tab (console_home.go); in a firm it is KindOpen.
	KindFirm = "firm"
	// KindConsole is a button of the bureau console (console.go): Choice
	// is the page to show ("2", …) or "csv" for the whole list as a file.
	KindConsole = "console"
)

const tokenPrefix = "c1"

// MaxTokenLen bounds a token; platforms cap button values (Slack: 2000).
const MaxTokenLen = 300

// String encodes the token for a button value.
func (t Token) String() string {
	return strings.Join([]string{tokenPrefix, t.Kind, t.Step, t.Choice, strconv.FormatInt(t.Version, 10)}, "|")
}

// ParseToken decodes a button value; anything malformed is an error.
func ParseToken(s string) (Token, error) {
	if len(s) > MaxTokenLen {
		return Token{}, fmt.Errorf("token too long (%d bytes)", len(s))
	}
	f := strings.Split(s, "|")
	if len(f) != 5 || f[0] != tokenPrefix {
		return Token{}, fmt.Errorf("malformed token %q", s)
	}
	v, err := strconv.ParseInt(f[4], 10, 64)
	// Only the canonical form String writes ("+5", "05", "-0" are not).
	if err != nil || v < 0 || strconv.FormatInt(v, 10) != f[4] {
		return Token{}, fmt.Errorf("malformed token version %q", f[4])
	}
	t := Token{Kind: f[1], Step: f[2], Choice: f[3], Version: v}
	switch t.Kind {
	case KindChoose, KindOpen, KindReset, KindCancel, KindWait, KindWaitEnd, KindTarget, KindAgents, KindEvidence, KindProfile, KindApprove, KindSendBack, KindFirm, KindConsole:
		return t, nil
	}
	return Token{}, fmt.Errorf("unknown token kind %q", t.Kind)
}
