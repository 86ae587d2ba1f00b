// Package teamsapp holds the Microsoft Teams app package (manifest.json,
// color.png, outline.png) and the tests that keep it valid.
package teamsapp

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/caisbot/caisbot/dialogs"
)

const (
	schemaURL   = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
	placeholder = "${{MICROSOFT_APP_ID}}"
)

// manifest is the part of the v1.17 schema this app uses. Decoding is
// strict, so a misspelt property fails the test instead of being
// silently ignored by Teams.
type manifest struct {
	Schema          string `json:"$schema"`
	ManifestVersion string `json:"manifestVersion"`
	Version         string `json:"version"`
	ID              string `json:"id"`
	Developer       struct {
		Name          string `json:"name"`
		WebsiteURL    string `json:"websiteUrl"`
		PrivacyURL    string `json:"privacyUrl"`
		TermsOfUseURL string `json:"termsOfUseUrl"`
	} `json:"developer"`
	Name struct {
		Short string `json:"short"`
		Full  string `json:"full"`
	} `json:"name"`
	Description struct {
		Short string `json:"short"`
		Full  string `json:"full"`
	} `json:"description"`
	Icons struct {
		Color   string `json:"color"`
		Outline string `json:"outline"`
	} `json:"icons"`
	AccentColor        string   `json:"accentColor"`
	Bots               []bot    `json:"bots"`
	Permissions        []string `json:"permissions"`
	ValidDomains       []string `json:"validDomains"`
	WebApplicationInfo *struct {
		ID       string `json:"id"`
		Resource string `json:"resource"`
	} `json:"webApplicationInfo"`
	Authorization *struct {
		Permissions struct {
			ResourceSpecific []rscPermission `json:"resourceSpecific"`
		} `json:"permissions"`
	} `json:"authorization"`
}

// rscPermission is a resource-specific consent permission.
type rscPermission struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type bot struct {
	BotID              string   `json:"botId"`
	Scopes             []string `json:"scopes"`
	SupportsFiles      bool     `json:"supportsFiles"`
	IsNotificationOnly bool     `json:"isNotificationOnly"`
	CommandLists       []struct {
		Scopes   []string `json:"scopes"`
		Commands []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"commands"`
	} `json:"commandLists"`
}

func load(t *testing.T) manifest {
	t.Helper()
	f, err := os.Open("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var m manifest
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	return m
}

var (
	semver = regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	hexRGB = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)
)

// within checks a string's presence and the schema's length limit.
func within(t *testing.T, field, s string, n int) {
	t.Helper()
	if s == "" || utf8.RuneCountInString(s) > n {
		t.Errorf("%s: %d characters, want 1 to %d", field, utf8.RuneCountInString(s), n)
	}
}

func TestManifestRequiredFields(t *testing.T) {
	m := load(t)
	if m.Schema != schemaURL || m.ManifestVersion != "1.17" {
		t.Errorf("schema %q version %q, want v1.17", m.Schema, m.ManifestVersion)
	}
	if !semver.MatchString(m.Version) {
		t.Errorf("version %q is not major.minor.patch", m.Version)
	}
	for field, u := range map[string]string{"websiteUrl": m.Developer.WebsiteURL, "privacyUrl": m.Developer.PrivacyURL, "termsOfUseUrl": m.Developer.TermsOfUseURL} {
		if !strings.HasPrefix(u, "https://") {
			t.Errorf("developer.%s %q must be an https URL", field, u)
		}
	}
	within(t, "developer.name", m.Developer.Name, 32)
	within(t, "name.short", m.Name.Short, 30)
	within(t, "name.full", m.Name.Full, 100)
	within(t, "description.short", m.Description.Short, 80)
	within(t, "description.full", m.Description.Full, 4000)
	if !hexRGB.MatchString(m.AccentColor) {
		t.Errorf("accentColor %q", m.AccentColor)
	}
	if m.Icons.Color != "color.png" || m.Icons.Outline != "outline.png" {
		t.Errorf("icons %+v must name the files in this directory", m.Icons)
	}
	// The app id and the bot id are the Azure bot's app id, filled in
	// when packaging (README.md).
	if m.ID != placeholder || len(m.Bots) != 1 || m.Bots[0].BotID != placeholder {
		t.Errorf("id %q, botId must both be %s", m.ID, placeholder)
	}
}

func TestManifestBot(t *testing.T) {
	b := load(t).Bots[0]
	if !slices.Contains(b.Scopes, "personal") || !slices.Contains(b.Scopes, "team") {
		t.Errorf("bot scopes %v, want personal and team", b.Scopes)
	}
	if b.IsNotificationOnly {
		t.Error("the bot takes commands: it is not notification-only")
	}
	// The exam packet reaches Teams users through a file-consent card,
	// which Teams shows only to bots that support files.
	if !b.SupportsFiles {
		t.Error("supportsFiles must be true: packet sends a file through file consent")
	}
	if len(b.CommandLists) == 0 {
		t.Fatal("no command list")
	}
	for _, l := range b.CommandLists {
		for _, s := range l.Scopes {
			if !slices.Contains(b.Scopes, s) {
				t.Errorf("command list scope %q is not a bot scope", s)
			}
		}
		if len(l.Commands) == 0 || len(l.Commands) > 10 {
			t.Errorf("%d commands: Teams takes 1 to 10", len(l.Commands))
		}
		seen := map[string]bool{}
		for _, c := range l.Commands {
			within(t, "command title", c.Title, 32)
			within(t, "command "+c.Title+" description", c.Description, 128)
			// Every listed command must be one caisbot understands.
			if name := dialogs.ParseCommand(c.Title).Name; name != c.Title || seen[c.Title] {
				t.Errorf("command %q is not a caisbot command (parsed as %q) or is listed twice", c.Title, name)
			}
			seen[c.Title] = true
		}
		for _, want := range []string{"next", "status", "history", "deadlines", "help"} {
			if !seen[want] {
				t.Errorf("command list lacks %q", want)
			}
		}
	}
}

// Reminders' exactly-once check reads channel and group-chat history
// through Microsoft Graph with resource-specific consent: the manifest
// asks for exactly the two read permissions, as application permissions,
// under the rules of manifest v1.12 and later (authorization.permissions
// plus webApplicationInfo naming the bot's Entra app).
func TestManifestResourceSpecificConsent(t *testing.T) {
	m := load(t)
	w := m.WebApplicationInfo
	if w == nil || w.ID != placeholder {
		t.Fatalf("webApplicationInfo %+v: its id must be the bot's app id, %s", w, placeholder)
	}
	// The resource is unused by RSC but must be set; the schema allows
	// 2048 characters, and it may name no domain outside the app's control.
	if w.Resource == "" || utf8.RuneCountInString(w.Resource) > 2048 || strings.Contains(w.Resource, "*") || !strings.HasPrefix(w.Resource, "api://") {
		t.Errorf("webApplicationInfo.resource %q", w.Resource)
	}
	if m.Authorization == nil {
		t.Fatal("no authorization section")
	}
	got := m.Authorization.Permissions.ResourceSpecific
	if len(got) > 16 {
		t.Errorf("%d resource-specific permissions: the schema allows 16", len(got))
	}
	want := []rscPermission{{"ChannelMessage.Read.Group", "Application"}, {"ChatMessage.Read.Chat", "Application"}}
	seen := map[rscPermission]bool{}
	for _, p := range got {
		if seen[p] || len(p.Name) > 128 || (p.Type != "Application" && p.Type != "Delegated") {
			t.Errorf("permission %+v is repeated or malformed", p)
		}
		seen[p] = true
	}
	if len(got) != len(want) || !seen[want[0]] || !seen[want[1]] {
		t.Errorf("resource-specific permissions %v, want exactly %v (least privilege)", got, want)
	}
}

// The packaging step of README.md leaves no placeholder behind.
func TestManifestPackaging(t *testing.T) {
	raw, err := os.ReadFile("manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	filled := strings.ReplaceAll(string(raw), placeholder, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
	if strings.Contains(filled, "${{") {
		t.Fatal("a placeholder other than MICROSOFT_APP_ID is left in the manifest")
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(filled), &m); err != nil {
		t.Fatal(err)
	}
}
