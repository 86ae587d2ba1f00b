package ledger_test

import (
	"testing"

	"github.com/caisbot/caisbot/announce/ledger"
	"github.com/caisbot/caisbot/firm"
)

func TestOccurrenceID(t *testing.T) {
	base := ledger.Occurrence{Firm: firm.ID{Platform: firm.Slack, Workspace: "T1"}, Channel: "C1", Deadline: "target:register", Day: "2027-06-05", Lead: 7}
	variants := []ledger.Occurrence{base, base, base, base, base}
	variants[0].Firm.Workspace = "T2"
	variants[1].Channel = "C2"
	variants[2].Deadline = "cert_request"
	variants[3].Day = "2027-06-06"
	variants[4].Lead = 1
	if base.ID() != base.ID() || len(base.ID()) != 32 {
		t.Fatalf("ID %q is not stable or not 32 hex digits", base.ID())
	}
	for i, v := range variants {
		if v.ID() == base.ID() {
			t.Errorf("variant %d has the same ID", i)
		}
	}
}

// Occurrence ids are in the ledger's keys and in posted reminders (Slack
// metadata, Teams element ids): they must be what builds before firms
// said their platform computed from the bare firm key.
func TestOccurrenceIDUnchangedByTypedFirms(t *testing.T) {
	for _, c := range []struct {
		o    ledger.Occurrence
		want string
	}{
		{ledger.Occurrence{Firm: firm.ID{Platform: firm.Slack, Workspace: "T1"}, Channel: "C1", Deadline: "target:register", Day: "2027-06-05", Lead: 7}, "0f0249f1e7a80015fe85e601258c6ed4"},
		{ledger.Occurrence{Firm: firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C9"}, Channel: "C9", Deadline: "target:register", Day: "2027-06-05", Lead: 0}, "7a444f3be39bcbfe700e176ffddf4efc"},
	} {
		if got := c.o.ID(); got != c.want {
			t.Errorf("%+v: ID %s, want %s (as written before)", c.o, got, c.want)
		}
	}
}
