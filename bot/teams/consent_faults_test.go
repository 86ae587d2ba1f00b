package teams

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caisbot/caisbot/internal/redistest"
	"github.com/caisbot/caisbot/store"
)

// offered asks for a packet as u and returns the consent card's offer.
func (r *rig) offered(u Account) string {
	r.t.Helper()
	r.askPacket(u, packetBytes(r.t))
	cards := r.consentCards(personalConv(u.ID))
	if len(cards) == 0 {
		r.t.Fatal("no consent card")
	}
	return cards[len(cards)-1].Content.AcceptContext.Offer
}

// Declining, answering an unknown or expired offer, accepting someone
// else's, or accepting with no https upload URL uploads nothing and
// says so in the personal chat.
func TestConsentThatUploadsNothing(t *testing.T) {
	pat, eve := person("Pat"), person("Eve")
	tests := []struct {
		name   string
		invoke func(r *rig, drive *fakeDrive, offer string) *Activity
		want   string
		who    Account
	}{
		{"decline", func(r *rig, d *fakeDrive, o string) *Activity { return r.consent(pat, "decline", o, "") }, "declined", pat},
		{"unknown offer", func(r *rig, d *fakeDrive, o string) *Activity {
			return r.consent(pat, "accept", "0123456789abcdef0123456789abcdef", d.URL)
		}, "expired", pat},
		{"not an offer id", func(r *rig, d *fakeDrive, o string) *Activity { return r.consent(pat, "accept", "../../x", d.URL) }, "expired", pat},
		{"someone else", func(r *rig, d *fakeDrive, o string) *Activity { return r.consent(eve, "accept", o, d.URL) }, "offered to someone else", eve},
		{"http upload URL", func(r *rig, d *fakeDrive, o string) *Activity {
			return r.consent(pat, "accept", o, "http://onedrive.example/upload")
		}, "no usable place", pat},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			drive := newFakeDrive(t)
			offer := r.offered(pat)
			if st := r.post(tc.invoke(r, drive, offer)); st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			if n := len(drive.Puts()); n != 0 {
				t.Fatalf("%d uploads", n)
			}
			if got := r.notices(personalConv(tc.who.ID)); !strings.Contains(got, tc.want) || !strings.Contains(got, "nothing was uploaded") {
				t.Fatalf("want %q and that nothing was uploaded in:\n%s", tc.want, got)
			}
		})
	}
}

// A declined offer is gone: accepting it afterwards uploads nothing.
func TestAcceptAfterDeclineUploadsNothing(t *testing.T) {
	r := newRig(t)
	drive := newFakeDrive(t)
	pat := person("Pat")
	offer := r.offered(pat)
	r.post(r.consent(pat, "decline", offer, ""))
	r.post(r.consent(pat, "accept", offer, drive.URL))
	if n := len(drive.Puts()); n != 0 {
		t.Fatalf("%d uploads after a decline", n)
	}
}

// The invoke is authenticated like every activity: a forged accept is
// refused and leaves the offer for its owner.
func TestForgedAcceptIsRefused(t *testing.T) {
	r := newRig(t)
	drive := newFakeDrive(t)
	pat := person("Pat")
	offer := r.offered(pat)
	forged := r.consent(pat, "accept", offer, drive.URL)
	if st := r.postAuth(forged, "Bearer "+channelToken(t, "another-app", forged.ServiceURL)); st != http.StatusUnauthorized {
		t.Fatalf("forged accept: status %d", st)
	}
	if n := len(drive.Puts()); n != 0 {
		t.Fatalf("a forged accept uploaded %d times", n)
	}
	r.post(r.consent(pat, "accept", offer, drive.URL))
	if n := len(drive.Puts()); n != 1 {
		t.Fatalf("the owner's accept after a forged one: %d uploads", n)
	}
}

// The upload URL can refuse, rate-limit or hang: each is bounded and the
// user is told the packet is not in their OneDrive.
func TestUploadFailuresAreToldAndBounded(t *testing.T) {
	tests := []struct {
		name    string
		retry   string
		answers []int
		puts    int
		want    string
	}{
		{"refused", "", []int{http.StatusForbidden}, 1, "refused the upload (403)"},
		{"server errors", "", []int{500, 502, 503}, maxPutAttempts, "refused the upload (503)"},
		{"long 429", "30", []int{http.StatusTooManyRequests}, 1, "busy"},
		{"hang", "", []int{0}, 1, "did not answer in time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if tc.name == "hang" {
				r.h.putWait = time.Second // the rest answer at once
			}
			drive := newFakeDrive(t)
			drive.answer(tc.retry, tc.answers...)
			pat := person("Pat")
			offer := r.offered(pat)
			start := time.Now()
			if st := r.post(r.consent(pat, "accept", offer, drive.URL)); st != http.StatusOK {
				t.Fatalf("status %d", st)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("told after %v", took)
			}
			if n := len(drive.Puts()); n != tc.puts {
				t.Errorf("%d upload attempts, want %d", n, tc.puts)
			}
			got := r.notices(personalConv(pat.ID))
			if !strings.Contains(got, "Exam packet upload failed") || !strings.Contains(got, tc.want) || !strings.Contains(got, "not in your OneDrive") {
				t.Fatalf("notice:\n%s", got)
			}
			if strings.Contains(got, "saved to your OneDrive") {
				t.Fatal("a file card was sent for a failed upload")
			}
		})
	}
}

// A short 429 and a passing 5xx are tried again: one packet arrives.
func TestUploadRetriesWhatPasses(t *testing.T) {
	r := newRig(t)
	drive := newFakeDrive(t)
	drive.answer("1", http.StatusTooManyRequests, http.StatusBadGateway)
	pat := person("Pat")
	r.post(r.consent(pat, "accept", r.offered(pat), drive.URL))
	if n := len(drive.Puts()); n != 3 {
		t.Fatalf("%d attempts, want 3", n)
	}
	if got := r.notices(personalConv(pat.ID)); !strings.Contains(got, "saved to your OneDrive") || strings.Contains(got, "failed") {
		t.Fatalf("chat:\n%s", got)
	}
}

// Without the app in their personal scope Teams refuses to open the
// chat (403); a failing or hanging connector is the same to the user:
// told in the channel, and the offer is not left behind.
func TestPersonalChatUnavailable(t *testing.T) {
	for name, status := range map[string]int{"403": http.StatusForbidden, "429": http.StatusTooManyRequests, "hang": 0} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, func(c *Config) {
				if status == 0 {
					c.HTTP = &http.Client{Timeout: 2 * time.Second}
				}
			})
			r.bf.failConversations(status)
			pat := person("Pat")
			start := time.Now()
			r.askPacket(pat, packetBytes(t))
			if took := time.Since(start); took > 6*time.Second {
				t.Errorf("told after %v", took)
			}
			if n := len(r.consentCards(personalConv(pat.ID))); n != 0 {
				t.Fatalf("%d consent cards", n)
			}
			got := r.notices(channel + ";messageid=1700000000001")
			if !strings.Contains(got, "Exam packet not sent") || !strings.Contains(got, "choose Add") || strings.Contains(got, "is waiting in your personal chat") {
				t.Fatalf("channel:\n%s", got)
			}
		})
	}
}

func TestTeamsNameBook(t *testing.T) {
	r := newRig(t)
	bea := person("Bea Checker")
	a := r.activity(bea, typeMessage)
	a.Text = "<at>caisbot</at> status"
	a.Entities = []Entity{{Type: "mention", Text: "<at>caisbot</at>", Mentioned: &Account{ID: botID, Name: "caisbot"}}}
	r.post(a) // the bot remembers who wrote to it
	names := r.h.names(a)
	ctx := context.Background()
	if name, ok := names.DisplayName(ctx, CanonicalUser(bea.AADObjectID)); !ok || name != "Bea Checker" {
		t.Fatalf("a person who wrote: %q %v", name, ok)
	}
	for _, u := range []string{CanonicalUser(person("Never Seen").AADObjectID), "", "has space"} {
		if name, ok := names.DisplayName(ctx, u); ok || name != "" {
			t.Errorf("%q: %q %v, want unknown", u, name, ok)
		}
	}
}

// When the consent card cannot be sent, the channel is told and the
// packet is not left in the store.
func TestConsentCardNotSentLeavesNoOffer(t *testing.T) {
	for name, fail := range map[string]func(r *rig){
		"chat refused": func(r *rig) { r.bf.failConversations(http.StatusForbidden) },
		"card refused": func(r *rig) { r.bf.failNext("BotNotInConversationRoster", http.StatusForbidden) },
		"card 429":     func(r *rig) { r.bf.failNext("", http.StatusTooManyRequests) },
	} {
		t.Run(name, func(t *testing.T) {
			rdb, prefix := redistest.New(t)
			r := newRigOn(t, store.New(rdb, prefix))
			fail(r)
			pat := person("Pat")
			a := r.activity(pat, typeMessage)
			if err := r.h.offerPacket(context.Background(), a, packetReply(packetBytes(t)).File); err == nil {
				t.Fatal("no error for a packet that was not offered")
			}
			if keys := rdb.Keys(context.Background(), prefix+"teams:offer:*").Val(); len(keys) != 0 {
				t.Fatalf("offers left behind: %v", keys)
			}
			if got := r.notices(channel + ";messageid=1700000000001"); !strings.Contains(got, "could not send the exam packet to your personal chat") {
				t.Fatalf("channel:\n%s", got)
			}
		})
	}
}
