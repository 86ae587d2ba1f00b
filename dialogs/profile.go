package dialogs

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ActProfile is the audit action of a change to the firm's profile: its
// detail is the profile as a JSON object ({"name","crd"}), so replay reads
// it back without guessing where the name ends.
const ActProfile = "profile"

// Profile is the firm as an examiner knows it: its legal name and its
// FINRA CRD number, with who last set them, when, and the version that
// change made (a form opened before it is refused rather than overwrite
// it unseen).
type Profile struct {
	Name    string    `json:"name"`
	CRD     string    `json:"crd"`
	User    string    `json:"user"`
	At      time.Time `json:"at"`
	Version int64     `json:"v"`
}

// Profile form field ids and limits.
const (
	ProfileName    = "pf_name"
	ProfileCRD     = "pf_crd"
	maxProfileName = 150
	maxCRDDigits   = 9
)

// profileForm is the firm profile form, filled with what is recorded.
func profileForm(p Progress) Form {
	form := Form{Title: "Firm profile", Submit: "Save", Fields: []Field{
		{ID: ProfileName, Kind: FieldText, Label: "Legal name", Placeholder: "e.g. Example Securities LLC", MaxLen: maxProfileName,
			Hint: "As registered with FINRA. It names the firm in status, the Home tab and exported files."},
		{ID: ProfileCRD, Kind: FieldText, Label: "CRD number", Placeholder: "e.g. 123456", MaxLen: maxCRDDigits,
			Hint: "The firm's Central Registration Depository number: digits only."},
	}}
	if pr := p.Profile; pr != nil {
		form.Fields[0].Value, form.Fields[1].Value = pr.Name, pr.CRD
	}
	return form
}

// ProfileCommand answers `profile` (admins): the recorded profile and a
// button that opens its form (a slash command cannot open a form on
// Slack).
func (f *Flow) ProfileCommand(p Progress, ev Event) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("set the firm profile")
	}
	r := Notice("Firm profile", "No profile yet: give the firm's legal name and CRD number. They name the firm in `{cmd} status`, the Home tab and the exported audit trail's file name.")
	label := "Set profile…"
	if pr := p.Profile; pr != nil {
		r = Notice("Firm profile", fmt.Sprintf("%s — set by %s on %s.", profileWords(chatWords, *pr), Mention(pr.User), f.Stamp(pr.At)))
		label = "Change profile…"
	}
	r.Actions = []Action{{Label: label, Style: Primary, Value: Token{Kind: KindProfile, Version: p.Version}.String()}}
	return Result{Reply: r}
}

// profileClick opens the profile form (admins), or records what it
// submitted.
func (f *Flow) profileClick(p Progress, ev Event) Result {
	if !f.isAdmin(ev.User) {
		return f.refuse("set the firm profile")
	}
	form := profileForm(p)
	r := Reply{Title: form.Title, Form: &form, FormToken: ev.Token.String()}
	if !ev.Submitted {
		return Result{Reply: r}
	}
	if pr := p.Profile; pr != nil && pr.Version > ev.Token.Version {
		return Result{Reply: Notice("Profile not changed", fmt.Sprintf("%s changed the firm profile on %s, after this form was opened: it is now %s. Nothing was changed: type `{cmd} profile` to see it and change it again.", Mention(pr.User), f.Stamp(pr.At), profileWords(chatWords, *pr)))}
	}
	name, crd, bad := readProfile(form, ev.Values)
	if bad != nil {
		for i := range form.Fields {
			form.Fields[i].Value = ev.Values[form.Fields[i].ID]
		}
		bad.into(&r)
		return Result{Reply: r}
	}
	if pr := p.Profile; pr != nil && pr.Name == name && pr.CRD == crd {
		return Result{Reply: Notice("Profile unchanged", "The firm profile is already "+profileWords(chatWords, *pr)+". Nothing was changed.")}
	}
	next := nextOf(p)
	next.Profile = &Profile{Name: name, CRD: crd, User: ev.User, At: ev.At.UTC(), Version: next.Version}
	e := Entry{Action: ActProfile, Card: ev.Token.Version, Detail: profileDetail(name, crd)}
	reply := Notice("Firm profile saved", "The firm is now "+profileWords(chatWords, *next.Profile)+".")
	reply.context("It names the firm in `{cmd} status`, the Home tab and `{cmd} export`; the audit trail records the change.")
	reply.Public = fmt.Sprintf("%s set the firm profile: %s.", Mention(ev.User), profileWords(chatWords, *next.Profile))
	if old := p.Profile; old != nil {
		reply.Public = fmt.Sprintf("%s changed the firm profile to %s (it was %s).", Mention(ev.User), profileWords(chatWords, *next.Profile), profileWords(chatWords, *old))
	}
	return f.change(p, next, ev, e, reply)
}

// readProfile validates a submitted profile form: a legal name with a
// letter or digit in it, and a CRD number of 1 to 9 digits.
func readProfile(form Form, values map[string]string) (name, crd string, problem *formProblem) {
	v, problem := readFields(form, values)
	name, crd = v[ProfileName], v[ProfileCRD]
	if _, read := v[ProfileName]; read && !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		problem = problem.with(&formProblem{Field: ProfileName, Message: "Give the firm's legal name, e.g. Example Securities LLC."})
	}
	if _, read := v[ProfileCRD]; read && !validCRD(crd) {
		problem = problem.with(&formProblem{Field: ProfileCRD, Message: fmt.Sprintf("A CRD number is 1 to %d digits (0–9) and nothing else, e.g. 123456.", maxCRDDigits)})
	}
	if problem != nil {
		return "", "", problem
	}
	return name, crd, nil
}

func validCRD(crd string) bool {
	if crd == "" || len(crd) > maxCRDDigits {
		return false
	}
	return !strings.ContainsFunc(crd, func(r rune) bool { return r < '0' || r > '9' })
}

// profileWords is a profile in one line: in markup (chatWords),
// "**Example LLC** (CRD 123456)".
func profileWords(w words, pr Profile) string {
	return w.bold(w.name(pr.Name)) + " (CRD " + w.lit(pr.CRD) + ")"
}

// profileDetail is a profile as its audit entry stores it.
func profileDetail(name, crd string) string {
	b, _ := json.Marshal(struct {
		Name string `json:"name"`
		CRD  string `json:"crd"`
	}{name, crd})
	return string(b)
}

// parseProfile reads a profile entry's detail back.
func parseProfile(detail string) (Profile, bool) {
	var pr Profile
	if json.Unmarshal([]byte(detail), &pr) != nil || pr.Name == "" || !validCRD(pr.CRD) || pr.User != "" || !pr.At.IsZero() || pr.Version != 0 {
		return Profile{}, false
	}
	return pr, true
}

// profileEntryText is a profile entry in history's words.
func profileEntryText(w words, e Entry) string {
	pr, ok := parseProfile(e.Detail)
	if !ok {
		return "changed the firm profile (" + w.lit(e.Detail) + ")"
	}
	return "set the firm profile: " + profileWords(w, pr)
}

// profileStatus is the status card's first line: who the firm is.
func profileStatus(p Progress) string {
	if p.Profile == nil {
		return "**Firm:** no profile yet (an admin sets it with `{cmd} profile`)"
	}
	return "**Firm:** " + profileWords(chatWords, *p.Profile)
}

// latinFold spells the accented Latin letters of firm names in ASCII,
// so "Société Générale" reads "societe-generale" rather than losing them.
var latinFold = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae", "ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y", "ß", "ss")

// maxSlug bounds the legal name's part of a file name.
const maxSlug = 60

// ProfileSlug names the firm in file names: "<slug of the legal name>-crd
// <number>" (Slug). The CRD number keeps two firms' files apart whatever
// their names.
func ProfileSlug(pr Profile) string {
	if slug := Slug(pr.Name); slug != "" {
		return slug + "-crd" + pr.CRD
	}
	return "crd" + pr.CRD
}

// Slug is s for a file name: lowercase ASCII letters and digits joined by
// single hyphens (accented Latin letters folded, other characters
// separate words), at most maxSlug bytes; "" when s has none.
func Slug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range latinFold.Replace(strings.ToLower(s)) {
		if r == '\'' || r == '’' {
			continue // "O'Neil" is one word
		}
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			gap = b.Len() > 0
			continue
		}
		if gap {
			b.WriteByte('-')
			gap = false
		}
		b.WriteRune(r)
	}
	slug := b.String()
	if len(slug) > maxSlug {
		slug = strings.TrimRight(slug[:maxSlug], "-")
	}
	return slug
}
