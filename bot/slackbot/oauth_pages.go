package slackbot

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/caisbot/caisbot/install"
)

// page is one of the small HTML pages of the install flow.
type page struct {
	Title  string
	Text   string
	Link   string // a button: "Add to Slack", or "Start again"
	Label  string
	Scopes []string
	Steps  []string
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>caisbot — {{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em;color:#1d3557}
a.button{display:inline-block;padding:.6em 1.2em;background:#4a154b;color:#fff;border-radius:4px;text-decoration:none}</style>
</head><body><h1>{{.Title}}</h1>
{{if .Text}}<p>{{.Text}}</p>{{end}}
{{if .Scopes}}<p>caisbot will be allowed to:</p><ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{if .Steps}}<ol>{{range .Steps}}<li>{{.}}</li>{{end}}</ol>{{end}}
{{if .Link}}<p><a class="button" href="{{.Link}}">{{.Label}}</a></p>{{end}}
</body></html>
`))

func installPage(authorize string, scopes []string) page {
	return page{Title: "Add caisbot to your Slack workspace",
		Text: "caisbot walks your firm through FINRA CAT's CAIS onboarding roadmap, step by step. The link works once, for 10 minutes.",
		Link: authorize, Label: "Add to Slack", Scopes: scopes}
}

func installedPage(in install.Installation) page {
	where := in.TeamName
	if in.IsEnterpriseInstall {
		where = in.EnterpriseName + " (every workspace of the organization)"
	}
	if where == "" {
		where = "your workspace"
	}
	return page{Title: "caisbot is installed", Text: "caisbot was added to " + where + ". What to do next:",
		Steps: []string{"In Slack, open the channel where your firm works on CAIS onboarding.",
			"Invite the bot: type /invite @caisbot in that channel.",
			"Type /cais-next there to see your firm's first step."}}
}

func failedPage(title, text, again string) page {
	return page{Title: title, Text: text, Link: again, Label: "Start again"}
}

// page writes p with status; nothing on these pages may be cached.
func (o *OAuth) page(w http.ResponseWriter, status int, p page) {
	var b bytes.Buffer
	if err := pageTmpl.Execute(&b, p); err != nil {
		o.cfg.Logger.Error("oauth: page did not render", "err", err)
		http.Error(w, p.Title, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
