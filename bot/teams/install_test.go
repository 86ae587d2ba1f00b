package teams

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestInstallRemembersAndWelcomes(t *testing.T) {
	r := newRig(t)
	a := r.activity(person("Ada Admin"), typeConvUpdate)
	a.Conversation.ID = channel // a team install names the channel itself
	a.MembersAdded = []Account{{ID: botID}}
	a.ChannelData.Team = &idName{ID: "19:team@thread.tacv2", Name: "Compliance"}
	if st := r.post(a); st != http.StatusOK {
		t.Fatalf("status %d", st)
	}
	raw, found, err := r.dir.Conversation(context.Background(), channel)
	if !found || err != nil {
		t.Fatalf("conversation not remembered: %v", err)
	}
	var ref ConversationRef
	if err := json.Unmarshal([]byte(raw), &ref); err != nil || ref.ServiceURL != a.ServiceURL || ref.Tenant != tenantID || ref.Bot != botID || ref.ChannelID != "msteams" {
		t.Fatalf("reference %+v (%v)", ref, err)
	}
	posts := r.bf.Calls(http.MethodPost, "/v3/conversations/"+channel+"/activities")
	if len(posts) != 1 || !strings.HasPrefix(title(posts[0].Card), "caisbot") {
		t.Fatalf("welcome: %d posts", len(posts))
	}
	if w := cardString(posts[0].Card); strings.Contains(w, "add @name") || !strings.Contains(w, "here the operator sets them") {
		t.Errorf("the welcome offers role commands Teams refuses:\n%s", w)
	}

	// Installation updates and other members joining say nothing.
	i := r.activity(person("Ada Admin"), typeInstallation)
	i.Action = "add"
	r.post(i)
	o := r.activity(person("Ada Admin"), typeConvUpdate)
	o.MembersAdded = []Account{{ID: "29:someone-else"}}
	r.post(o)
	if n := len(r.bf.connectorCalls()); n != 1 {
		t.Fatalf("%d connector calls, want only the one welcome", n)
	}

	rm := r.activity(person("Ada Admin"), typeInstallation)
	rm.Action = "remove"
	r.post(rm)
	if _, found, _ := r.dir.Conversation(context.Background(), channel); found {
		t.Fatal("the conversation is remembered after the bot was removed")
	}
}

func TestPeopleAreRemembered(t *testing.T) {
	r := newRig(t)
	ann := person("Ann Auditor")
	r.click(r.say(ann, ""), "Yes", ann)
	// Another replica (a fresh handler on the same store) names Ann from
	// the store, not from memory.
	again := newRigOn(t, r.store)
	st := cardString(again.say(person("Bob"), "status").Card)
	if !strings.Contains(st, "Ann Auditor") {
		t.Fatalf("status must name Ann:\n%s", st)
	}
}
