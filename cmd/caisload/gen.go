package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// kind is a request kind the report breaks figures down by.
type kind uint8

const (
	kNext       kind = iota // /cais-next (the read path)
	kStatus                 // /cais-next status
	kHistory                // /cais-next history
	kResetCmd               // /cais-next reset (admin, after a finished roadmap)
	kClick                  // primary button on the current card (the write path)
	kSubmit                 // the agents modal saved (view_submission, a write)
	kStale                  // the same card clicked by a second user: "nothing was changed"
	kResetClick             // "Reset all progress" confirmed
	nKinds
)

var kindNames = [nKinds]string{"next", "status", "history", "reset-cmd", "click", "submit", "stale-click", "reset-click"}

func (k kind) String() string { return kindNames[k] }

// interactive reports whether k is a button click or modal (the write
// path), as opposed to a slash command.
func (k kind) interactive() bool { return k >= kClick }

// errClass says what went wrong with a request.
type errClass uint8

const (
	errTransport   errClass = iota // connection, timeout
	errStatus                      // HTTP status other than 200
	errUnavailable                 // the bot answered "temporarily unavailable"
	errNoCard                      // no card at the response_url within cardTimeout
	errStaleCheck                  // two clicks on one card: not exactly one confirmation
	errUnexpected                  // a reply the walk cannot use
	nErr
	errNone errClass = 255
)

var errNames = [nErr]string{"transport", "http-status", "unavailable", "no-card", "stale-check", "unexpected"}

// cardTimeout bounds the wait for a click's card at the response_url.
const cardTimeout = 5 * time.Second

// phaseSpec is one measured run of the generator against one server.
type phaseSpec struct {
	Name     string
	URL      string
	OnlyNext bool // send only /cais-next (read path, and the bare reference)
	// Reference walks the bare reference's own copies of the firms: its
	// canned cards must not replace the cards the bot's walk is on.
	Reference bool
	Mix       float64 // share of slash commands in the walk
	Stale     float64 // share of clicks doubled by a second user on the same card
	Duration  time.Duration
	Warmup    time.Duration
}

// gen is the load generator: firms, HTTP client, the fake Slack sink.
type gen struct {
	client *http.Client
	sink   *sink
	secret string
	admin  string
	conc   int
	firms  []*firm
	// bareFirms are the same workspaces as firms, walked by the
	// bare-click phase against the reference.
	bareFirms []*firm
	seq       atomic.Uint64
}

func newGen(s *sink, secret, admin, run string, conc, firms int) *gen {
	if firms < conc {
		firms = conc
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * conc,
		MaxIdleConnsPerHost: 4 * conc, // pairs of clicks put up to 2 × conc in flight
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	g := &gen{client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, sink: s, secret: secret, admin: admin, conc: conc}
	for i := range firms {
		g.firms = append(g.firms, newFirm(run, i, admin, s.responseURL(0)))
		g.bareFirms = append(g.bareFirms, newFirm(run, i, admin, s.responseURL(0)))
	}
	return g
}

func (g *gen) close() { g.client.CloseIdleConnections() }

// result is one request's outcome. body is valid until the caller's next
// request.
type result struct {
	start  time.Time
	lat    time.Duration
	status int
	err    errClass
	body   []byte
}

// caller is one in-flight request's reusable buffers.
type caller struct {
	s    *signer
	body []byte
	resp bytes.Buffer
}

var unavailableMark = []byte("emporarily unavailable")

func (g *gen) do(c *caller, url string, body []byte) result {
	r := result{start: time.Now(), err: errNone}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		r.err = errTransport
		return r
	}
	req.Header = c.s.header(body, r.start)
	resp, err := g.client.Do(req)
	if err != nil {
		r.lat, r.err = time.Since(r.start), errTransport
		return r
	}
	c.resp.Reset()
	_, err = c.resp.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	r.lat, r.status, r.body = time.Since(r.start), resp.StatusCode, c.resp.Bytes()
	switch {
	case err != nil:
		r.err = errTransport
	case resp.StatusCode != http.StatusOK:
		r.err = errStatus
	case bytes.Contains(r.body, unavailableMark):
		r.err = errUnavailable
	}
	return r
}

// clickOutcome is a click, the modal submission it may lead to, and the
// card that arrives at its response_url.
type clickOutcome struct {
	ack     result
	sub     *result
	card    []byte
	cardLat time.Duration
	cardErr errClass
	ok      bool
}

var staleMark = []byte("Here is the current step")

func (o *clickOutcome) stale() bool { return o.ok && bytes.Contains(o.card, staleMark) }

// click presses a button as user, saves the modal if one opens, and waits
// for the card at the response_url. It touches no worker state.
func (g *gen) click(c *caller, url string, f *firm, user, actionID, value string) clickOutcome {
	o := clickOutcome{cardErr: errNone}
	id := g.seq.Add(1)
	ch := g.sink.expect(id)
	defer g.sink.forget(id)
	trigger := "1337." + strconv.FormatUint(id, 10) + ".trig"
	actionTS := strconv.FormatInt(time.Now().Unix(), 10) + "." + strconv.FormatUint(1000000+id%1000000, 10)[1:]
	c.body = clickBody(c.body, f, user, actionID, value, trigger, g.sink.responseURL(id), actionTS)
	o.ack = g.do(c, url, c.body)
	o.ack.body = nil
	if o.ack.err != errNone {
		return o
	}
	// views.open is called before the click is acknowledged.
	if v, ok := g.sink.opened(trigger); ok {
		c.body = submitBody(c.body, f, user, v, agentsInput)
		s := g.do(c, url, c.body)
		if s.err == errNone && bytes.Contains(s.body, []byte(`"response_action"`)) {
			s.err = errUnexpected
		}
		s.body = nil
		o.sub = &s
		if s.err != errNone {
			return o
		}
	}
	if g.sink.hanging() > 0 {
		// Slack hangs: the card would come when the bot gives up on it.
		// Clicks go on at once; the next card comes from /cais-next.
		return o
	}
	t := time.NewTimer(cardTimeout)
	defer t.Stop()
	select {
	case b := <-ch:
		o.card, o.cardLat = b, time.Since(o.ack.start)
	case <-t.C:
		o.cardErr = errNoCard
		return o
	}
	if bytes.Contains(o.card, unavailableMark) {
		o.cardErr = errUnavailable
		return o
	}
	o.ok = true
	return o
}

// run drives one segment of a phase: conc workers for warmup + duration.
// It returns the workers, whose recordings merge summarises.
func (g *gen) run(ctx context.Context, spec phaseSpec, seed uint64, from, until time.Time) []*worker {
	ws := make([]*worker, g.conc)
	for i := range ws {
		ws[i] = &worker{g: g, spec: &spec, rng: rand.New(rand.NewPCG(seed, uint64(i))), from: from, until: until,
			a: &caller{s: newSigner(g.secret)}, b: &caller{s: newSigner(g.secret)}}
	}
	firms := g.firms
	if spec.Reference {
		firms = g.bareFirms
	}
	for i, f := range firms {
		w := ws[i%g.conc]
		w.firms = append(w.firms, f)
	}
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Wait()
	return ws
}
