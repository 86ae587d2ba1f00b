package firm_test

import (
	"strings"
	"testing"

	"github.com/caisbot/caisbot/firm"
)

const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"

// Every form of firm id that builds before December 2026 stored as a bare
// member of the firms index, read by Legacy.
func TestLegacyReadsEveryStoredForm(t *testing.T) {
	for _, c := range []struct {
		key  string
		want firm.ID
	}{
		{"T0123ABC", firm.ID{Platform: firm.Slack, Workspace: "T0123ABC"}},
		{"T0123ABC:C0456DEF", firm.ID{Platform: firm.Slack, Workspace: "T0123ABC", Channel: "C0456DEF"}},
		{"E0GRID:C1", firm.ID{Platform: firm.Slack, Workspace: "E0GRID", Channel: "C1"}},
		{tenant, firm.ID{Platform: firm.Teams, Workspace: tenant}},
		{tenant + ":19:abc@thread.tacv2", firm.ID{Platform: firm.Teams, Workspace: tenant, Channel: "19:abc@thread.tacv2"}},
		{tenant + ":a:1xYz/+AbC", firm.ID{Platform: firm.Teams, Workspace: tenant, Channel: "a:1xYz/+AbC"}},
		{tenant + ":sha256-0123456789abcdef0123456789abcdef", firm.ID{Platform: firm.Teams, Workspace: tenant, Channel: "sha256-0123456789abcdef0123456789abcdef"}},
		{"00000000-0000-0000-0000-000000000000", firm.ID{Platform: firm.Teams, Workspace: "00000000-0000-0000-0000-000000000000"}},
		{"00000000-0000-0000-0000-0000000000001", firm.ID{Platform: firm.Teams, Workspace: "00000000-0000-0000-0000-0000000000001"}},
		{"72F988BF-86F1-41AF-91AB-2D7CD011DB47", firm.ID{Platform: firm.Teams, Workspace: "72F988BF-86F1-41AF-91AB-2D7CD011DB47"}},
	} {
		got, err := firm.Legacy(c.key)
		if err != nil || got != c.want {
			t.Errorf("Legacy(%q) = %+v, %v; want %+v", c.key, got, err, c.want)
		}
		if got.Key() != c.key {
			t.Errorf("Legacy(%q).Key() = %q: the key must round-trip", c.key, got.Key())
		}
		if m, err := firm.ParseMember(c.key); err != nil || m != c.want {
			t.Errorf("ParseMember(%q) = %+v, %v; want the Legacy reading", c.key, m, err)
		}
	}
	if _, err := firm.Legacy(""); err == nil {
		t.Error(`Legacy("") accepted`)
	}
}

// What is written from now on names its platform, and reads back as it
// was, whatever its key looks like.
func TestMemberRoundTrip(t *testing.T) {
	for _, f := range []firm.ID{
		{Platform: firm.Slack, Workspace: "T1"},
		{Platform: firm.Slack, Workspace: "T1", Channel: "C1"},
		{Platform: firm.Teams, Workspace: tenant, Channel: "19:x@thread.tacv2"},
		{Platform: firm.Teams, Workspace: "not-a-guid"},                    // shape says Slack; the member says Teams
		{Platform: "matrix", Workspace: "example.org", Channel: "!room:x"}, // a third platform
		{Platform: firm.Slack, Workspace: tenant},                          // shape says Teams; the member says Slack
	} {
		got, err := firm.ParseMember(f.Member())
		if err != nil || got != f {
			t.Errorf("ParseMember(%q) = %+v, %v; want %+v", f.Member(), got, err, f)
		}
	}
}

// Slack and Teams keys are what they always were; another platform's
// cannot meet them.
func TestKeys(t *testing.T) {
	for _, c := range []struct {
		f    firm.ID
		want string
	}{
		{firm.ID{Platform: firm.Slack, Workspace: "T1"}, "T1"},
		{firm.ID{Platform: firm.Slack, Workspace: "T1", Channel: "C1"}, "T1:C1"},
		{firm.ID{Platform: firm.Teams, Workspace: tenant, Channel: "19:x"}, tenant + ":19:x"},
		{firm.ID{Platform: "matrix", Workspace: "T1", Channel: "C1"}, "matrix/T1:C1"},
	} {
		if got := c.f.Key(); got != c.want {
			t.Errorf("%+v.Key() = %q; want %q", c.f, got, c.want)
		}
	}
}

func TestScope(t *testing.T) {
	for _, c := range []struct {
		scope              firm.Scope
		workspace, channel string
		want               string // Key, or "" for an error
	}{
		{firm.WorkspaceScope, "T1", "C1", "T1"},
		{firm.WorkspaceScope, "T1", "", "T1"},
		{firm.ChannelScope, "T1", "C1", "T1:C1"},
		{firm.ChannelScope, "T1", "", ""},
		{firm.WorkspaceScope, "", "C1", ""},
	} {
		f, err := c.scope.In(firm.Slack, c.workspace, c.channel)
		if (err != nil) != (c.want == "") || (err == nil && (f.Key() != c.want || f.Platform != firm.Slack)) {
			t.Errorf("%s.In(%q, %q) = %+v, %v; want key %q", c.scope, c.workspace, c.channel, f, err, c.want)
		}
	}
	for in, ok := range map[string]bool{"workspace": true, "channel": true, "": false, "team": false, "Channel": false} {
		if _, err := firm.ParseScope(in); (err == nil) != ok {
			t.Errorf("ParseScope(%q) error %v; want ok=%v", in, err, ok)
		}
	}
}

func TestBadPlatformsAndKeys(t *testing.T) {
	for _, p := range []firm.Platform{"", "Slack", "a/b", "teams:x", "averyveryverylongname"} {
		if _, err := firm.Parse(p, "T1"); err == nil {
			t.Errorf("Parse(%q, T1) accepted a bad platform", p)
		}
	}
	if _, err := firm.Parse(firm.Slack, ":C1"); err == nil {
		t.Error("Parse accepted a key with no workspace")
	}
}

func TestValidPlatforms(t *testing.T) {
	for p, want := range map[firm.Platform]bool{
		"slack": true, "teams": true, "a": true, "x9": true, "abcdefghijklmnop": true,
		"": false, "9x": false, "Slack": false, "sl-ack": false, "a/b": false, "abcdefghijklmnopq": false, "slack\n": false,
	} {
		if got := p.Valid(); got != want {
			t.Errorf("Platform(%q).Valid() = %v; want %v", p, got, want)
		}
	}
}

// Firms are listed in the order of their Strings; Compare must agree
// with it, including where a workspace is a prefix of another and the
// next byte sorts below or above the ":" before a channel.
func TestCompareOrdersAsStrings(t *testing.T) {
	var ids []firm.ID
	for _, p := range []firm.Platform{"slack", "slackx", "teams", "a"} {
		for _, ws := range []string{"T1", "T10", "T1-", "T1A", "T", "T1:"} {
			for _, ch := range []string{"", "C1", "A", "C"} {
				ids = append(ids, firm.ID{Platform: p, Workspace: ws, Channel: ch})
			}
		}
	}
	for _, a := range ids {
		for _, b := range ids {
			if got, want := firm.Compare(a, b), strings.Compare(a.String(), b.String()); got != want {
				t.Fatalf("Compare(%s, %s) = %d; want %d", a, b, got, want)
			}
		}
	}
}

func TestAppendKeyIsKey(t *testing.T) {
	for _, f := range []firm.ID{
		{Platform: firm.Slack, Workspace: "T1"},
		{Platform: firm.Slack, Workspace: "T1", Channel: "C1"},
		{Platform: firm.Teams, Workspace: "0a1b2c3d-0000-1111-2222-333344445555", Channel: "19:abc@thread.tacv2"},
		{Platform: "webex", Workspace: "W1"},
		{Platform: "webex", Workspace: "W1", Channel: "R1"},
	} {
		if got := string(f.AppendKey([]byte("x"))); got != "x"+f.Key() {
			t.Errorf("%v: AppendKey = %q; want %q", f, got, "x"+f.Key())
		}
	}
}

func TestIsMember(t *testing.T) {
	ids := []firm.ID{
		{Platform: firm.Slack, Workspace: "T1"},
		{Platform: firm.Slack, Workspace: "T1", Channel: "C1"},
		{Platform: firm.Slack, Workspace: "T1:C", Channel: "1"},
		{Platform: firm.Teams, Workspace: "T1"},
		{Platform: "sl", Workspace: "ack/T1"},
	}
	for _, f := range ids {
		for _, m := range []string{"slack/T1", "slack/T1:C1", "slack/T1:", "T1", "T1:C1", "teams/T1", "slackT1", "slack/T1C1", "", "sl/ack/T1"} {
			if got, want := f.IsMember(m), m == f.Member(); got != want {
				t.Errorf("%#v.IsMember(%q) = %v; want %v", f, m, got, want)
			}
		}
	}
}
