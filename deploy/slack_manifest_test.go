package deploy

import (
	"os"
	"slices"
	"testing"

	"github.com/caisbot/caisbot/bot/slackbot"
	"gopkg.in/yaml.v3"
)

// TestSlackManifests checks that each manifest creates a working app in one
// paste: the command, interactivity, the Home tab event and the scopes the
// bot uses — and no others.
func TestSlackManifests(t *testing.T) {
	type manifest struct {
		Features struct {
			AppHome struct {
				HomeTab bool `yaml:"home_tab_enabled"`
			} `yaml:"app_home"`
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		OAuth struct {
			RedirectURLs []string `yaml:"redirect_urls"`
			Scopes       struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				URL    string   `yaml:"request_url"`
				Events []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool   `yaml:"is_enabled"`
				URL     string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
			OrgDeploy  bool `yaml:"org_deploy_enabled"`
		} `yaml:"settings"`
	}
	// The scopes "Add to Slack" asks for are the manifests' scopes.
	want := slices.Sorted(slices.Values(slackbot.BotScopes))
	for file, socket := range map[string]bool{"slack-app-manifest.yaml": false, "slack-app-manifest-socket.yaml": true} {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		f, s := m.Features, m.Settings
		scopes := slices.Sorted(slices.Values(m.OAuth.Scopes.Bot))
		switch {
		case len(f.SlashCommands) != 1 || f.SlashCommands[0].Command != "/cais-next":
			t.Errorf("%s: want the one command /cais-next, got %+v", file, f.SlashCommands)
		case !f.AppHome.HomeTab || !slices.Contains(s.Events.Events, "app_home_opened"):
			t.Errorf("%s: the Home tab and app_home_opened are needed", file)
		case !slices.Contains(s.Events.Events, "app_uninstalled") || !slices.Contains(s.Events.Events, "tokens_revoked"):
			t.Errorf("%s: app_uninstalled and tokens_revoked are needed (a workspace removing caisbot)", file)
		case !s.Interactivity.Enabled || s.SocketMode != socket:
			t.Errorf("%s: interactivity %v, socket mode %v", file, s.Interactivity.Enabled, s.SocketMode)
		case !slices.Equal(scopes, want):
			t.Errorf("%s: scopes %v, want exactly %v", file, scopes, want)
		}
		// Over HTTP the app can be distributed ("Add to Slack", org-wide
		// in Enterprise Grid); a Socket Mode app cannot.
		redirect := []string{"https://caisbot.example.com/slack/oauth_redirect"}
		if socket {
			redirect = nil
		}
		if !slices.Equal(m.OAuth.RedirectURLs, redirect) || s.OrgDeploy == socket {
			t.Errorf("%s: redirect URLs %v, org_deploy_enabled %v", file, m.OAuth.RedirectURLs, s.OrgDeploy)
		}
		urls := []string{f.SlashCommands[0].URL, s.Events.URL, s.Interactivity.URL}
		for _, u := range urls {
			if socket && u != "" || !socket && u != "https://caisbot.example.com/slack/events" {
				t.Errorf("%s: request URL %q", file, u)
			}
		}
	}
}
