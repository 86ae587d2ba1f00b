package teams

import (
	"context"
	"testing"
)

// Each audit entry records the actor's name as Teams sent it (from.name).
func TestAuditEntriesNameTheActorAsTeamsSentIt(t *testing.T) {
	r := newRig(t)
	bea := person("Bea Brown")
	r.click(r.say(bea, ""), "Yes", bea)
	r.say(admin, "deadline 2 2027-01-15")
	es, err := r.store.Audit(context.Background(), r.firm(), 0, -1)
	if err != nil || len(es) != 2 {
		t.Fatalf("audit = %+v, %v; want 2 entries", es, err)
	}
	for i, want := range []string{"Bea Brown", "Ada Admin"} {
		if es[i].Name != want || es[i].Roadmap == "" {
			t.Errorf("entry %d names %q (roadmap %q); want %q and the roadmap", i+1, es[i].Name, es[i].Roadmap, want)
		}
	}
}
