package app

import (
	"maps"
	"strings"
	"testing"
)

// testKey is base64 of 32 bytes: a valid CAIS_TOKEN_KEY for tests.
const testKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// multiEnv is a complete multi-workspace configuration.
func multiEnv() map[string]string {
	return map[string]string{"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "clientsecretvalue", "SLACK_SIGNING_SECRET": "signsecret",
		"CAIS_TOKEN_KEY": testKey, "CAIS_PUBLIC_URL": "https://caisbot.example.com/"}
}

func TestMultiWorkspaceConfigNamesTheVariable(t *testing.T) {
	with := func(k, v string) map[string]string {
		env := multiEnv()
		if v == "" {
			delete(env, k)
		} else {
			env[k] = v
		}
		return env
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no secret", with("SLACK_CLIENT_SECRET", ""), "SLACK_CLIENT_SECRET"},
		{"no id", map[string]string{"SLACK_CLIENT_SECRET": "clientsecretvalue"}, "SLACK_CLIENT_ID"},
		{"no key", with("CAIS_TOKEN_KEY", ""), "CAIS_TOKEN_KEY"},
		{"key not base64", with("CAIS_TOKEN_KEY", "not base64 at all!"), "CAIS_TOKEN_KEY"},
		{"key 16 bytes", with("CAIS_TOKEN_KEY", "AAECAwQFBgcICQoLDA0ODw=="), "CAIS_TOKEN_KEY"},
		{"key 33 bytes", with("CAIS_TOKEN_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"), "CAIS_TOKEN_KEY"},
		{"key placeholder", with("CAIS_TOKEN_KEY", "REPLACE-ME"), "CAIS_TOKEN_KEY"},
		{"no public url", with("CAIS_PUBLIC_URL", ""), "CAIS_PUBLIC_URL"},
		{"http public url", with("CAIS_PUBLIC_URL", "http://caisbot.example.com"), "CAIS_PUBLIC_URL"},
		{"relative public url", with("CAIS_PUBLIC_URL", "caisbot.example.com"), "CAIS_PUBLIC_URL"},
		{"public url with query", with("CAIS_PUBLIC_URL", "https://caisbot.example.com/?x=1"), "CAIS_PUBLIC_URL"},
		{"public url with user", with("CAIS_PUBLIC_URL", "https://me:pw@caisbot.example.com"), "CAIS_PUBLIC_URL"},
		{"ftp public url", with("CAIS_PUBLIC_URL", "ftp://caisbot.example.com"), "CAIS_PUBLIC_URL"},
		{"no signing secret", with("SLACK_SIGNING_SECRET", ""), "SLACK_SIGNING_SECRET"},
		{"socket mode", with("SLACK_APP_TOKEN", "xapp-1"), "SLACK_APP_TOKEN"},
		{"both modes", with("SLACK_BOT_TOKEN", "xoxb-1"), "SLACK_BOT_TOKEN"},
		{"secret placeholder", with("SLACK_CLIENT_SECRET", "REPLACE-ME"), "SLACK_CLIENT_SECRET"},
		{"no Redis: installations would not outlive a restart", multiEnv(), "REDIS_URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Load()
			if err == nil {
				t.Fatal("start-up accepted bad configuration")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q: want one line naming %s", msg, tc.want)
			}
			for _, secret := range []string{"clientsecretvalue", "signsecret", testKey, "AAECAwQFBgcICQoLDA0OD"} {
				if strings.Contains(msg, secret) {
					t.Fatalf("error %q echoes a secret", msg)
				}
			}
		})
	}
}

func TestMultiWorkspaceConfigAccepted(t *testing.T) {
	tests := []struct {
		public, want string
		insecure     bool
	}{
		{"https://caisbot.example.com/", "https://caisbot.example.com", false},
		{"https://bureau.example.com/caisbot", "https://bureau.example.com/caisbot", false},
		{"http://localhost:3000", "http://localhost:3000", true},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080", true},
	}
	for _, tc := range tests {
		t.Run(tc.public, func(t *testing.T) {
			clearEnv(t)
			env := multiEnv()
			env["CAIS_PUBLIC_URL"] = tc.public
			env["REDIS_URL"] = "redis://127.0.0.1:6379/0" // only loaded, never dialled
			for k, v := range maps.All(env) {
				t.Setenv(k, v)
			}
			c, err := Load()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !c.multi() || c.playground() || !c.slackOn():
				t.Errorf("multi %v, playground %v, slack %v: want multi-workspace Slack, no playground", c.multi(), c.playground(), c.slackOn())
			case c.PublicURL != tc.want || c.insecureCookies() != tc.insecure:
				t.Errorf("public URL %q (insecure cookies %v), want %q (%v)", c.PublicURL, c.insecureCookies(), tc.want, tc.insecure)
			case len(c.tokenKey) != 32:
				t.Errorf("token key of %d bytes", len(c.tokenKey))
			}
		})
	}
}
