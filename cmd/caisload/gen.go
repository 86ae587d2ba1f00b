package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
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

// commands a firm's team types, prebuilt per firm.
const (
	cmdNext = iota
	cmdStatus
	cmdHistory
	cmdReset
	nCmds
)

var cmdText = [nCmds]string{"", "status", "history", "reset"}
var cmdKind = [nCmds]kind{kNext, kStatus, kHistory, kResetCmd}

// agentsInput is what the simulated user types into the agents modal.
const agentsInput = "Example Clearing LLC\nSample Services Bureau Inc."

// firm is one simulated Slack workspace walking the roadmap. Only its
// worker touches it.
type firm struct {
	run                 string
	idx, gen            int
	team, channel       string
	user, other, admin  string
	cmd                 [nCmds][]byte
	card, action        string // primary button of the firm's current card; "" = unknown
	done                bool   // the roadmap is complete: start over
	cmdResponseURL      string
	completed, restarts int
}

func newFirm(run string, idx int, admin, cmdResponseURL string) *firm {
	f := &firm{run: run, idx: idx, admin: admin, cmdResponseURL: cmdResponseURL}
	f.rebuild()
	return f
}

// rebuild derives the firm's ids and prebuilt command bodies. A new
// generation is a new workspace (used when the bot refuses the reset).
func (f *firm) rebuild() {
	id := fmt.Sprintf("%s%05d", f.run, f.idx)
	if f.gen > 0 {
		id += "G" + strconv.Itoa(f.gen)
	}
	f.team, f.channel = "T"+id, "C"+id
	f.user, f.other = "U"+id+"A", "U"+id+"B"
	for c := range nCmds {
		user := f.user
		if c == cmdReset {
			user = f.admin
		}
		f.cmd[c] = commandBody(f, user, cmdText[c], f.cmdResponseURL)
	}
	f.card, f.action, f.done = "", "", false
}

// learn takes the firm's current card from a reply.
func (f *firm) learn(msg []byte) {
	if aid, v, ok := button(msg, "primary"); ok && bytes.HasPrefix([]byte(v), []byte("c1|choose|")) {
		f.card, f.action, f.done = v, aid, false
		return
	}
	// A step card always has a primary button; none means the roadmap
	// is complete.
	f.card, f.action, f.done = "", "", true
}

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

// worker walks its own firms one request at a time.
type worker struct {
	g       *gen
	spec    *phaseSpec
	firms   []*firm
	next    int
	rng     *rand.Rand
	a, b    *caller
	from    time.Time
	until   time.Time
	lat     [nKinds][]time.Duration
	errs    [nKinds][nErr]int64
	cardLat []time.Duration
	pairs   int64
}

func (w *worker) in(t time.Time) bool { return !t.Before(w.from) && t.Before(w.until) }

func (w *worker) record(k kind, r result) {
	if !w.in(r.start) {
		return
	}
	w.lat[k] = append(w.lat[k], r.lat)
	if r.err != errNone {
		w.errs[k][r.err]++
	}
}

func (w *worker) fail(k kind, at time.Time, e errClass) {
	if w.in(at) {
		w.errs[k][e]++
	}
}

func (w *worker) recordClick(k kind, o *clickOutcome) {
	w.record(k, o.ack)
	if o.sub != nil {
		w.record(kSubmit, *o.sub)
	}
	switch {
	case o.ok:
		if w.in(o.ack.start) {
			w.cardLat = append(w.cardLat, o.cardLat)
		}
	case o.cardErr != errNone:
		w.fail(k, o.ack.start, o.cardErr)
	}
}

func (w *worker) loop(ctx context.Context) {
	for ctx.Err() == nil && time.Now().Before(w.until) {
		f := w.firms[w.next]
		w.next = (w.next + 1) % len(w.firms)
		w.step(f)
	}
}

func (w *worker) step(f *firm) {
	switch {
	case w.spec.OnlyNext:
		w.command(f, cmdNext, false)
	case f.done:
		w.reset(f)
	case f.card == "":
		w.command(f, cmdNext, true)
	case w.rng.Float64() < w.spec.Mix:
		switch r := w.rng.Float64(); {
		case r < 0.5:
			w.command(f, cmdNext, true)
		case r < 0.8:
			w.command(f, cmdStatus, false)
		default:
			w.command(f, cmdHistory, false)
		}
	default:
		w.click(f)
	}
}

func (w *worker) command(f *firm, c int, learn bool) {
	r := w.g.do(w.a, w.spec.URL, f.cmd[c])
	w.record(cmdKind[c], r)
	if learn && r.err == errNone {
		f.learn(r.body)
	}
}

// click presses the current card's primary button; sometimes a second
// user presses the same card at the same moment, and exactly one of the
// two must confirm while the other is told nothing was changed.
func (w *worker) click(f *firm) {
	value, action := f.card, f.action
	if w.spec.Stale <= 0 || w.rng.Float64() >= w.spec.Stale {
		o := w.g.click(w.a, w.spec.URL, f, f.user, action, value)
		w.recordClick(kClick, &o)
		w.after(f, &o)
		return
	}
	var o2 clickOutcome
	done := make(chan struct{})
	go func() {
		defer close(done)
		o2 = w.g.click(w.b, w.spec.URL, f, f.other, action, value)
	}()
	o1 := w.g.click(w.a, w.spec.URL, f, f.user, action, value)
	<-done
	k1, k2 := kClick, kClick
	if o1.stale() {
		k1 = kStale
	}
	if o2.stale() {
		k2 = kStale
	}
	w.recordClick(k1, &o1)
	w.recordClick(k2, &o2)
	if o1.ok && o2.ok {
		if w.in(o1.ack.start) {
			w.pairs++
		}
		if k1 == k2 { // both confirmed, or neither did
			w.fail(kStale, o1.ack.start, errStaleCheck)
		}
	}
	if k1 == kClick {
		w.after(f, &o1)
	} else {
		w.after(f, &o2)
	}
}

// after moves the firm on to the card its click produced.
func (w *worker) after(f *firm, o *clickOutcome) {
	if !o.ok {
		f.card = "" // ask /cais-next again
		return
	}
	f.learn(o.card)
	if f.done {
		f.completed++
	}
}

// reset starts a finished firm over: the admin types reset and confirms.
// If the bot refuses (no admin configured), the firm becomes a new
// workspace instead.
func (w *worker) reset(f *firm) {
	r := w.g.do(w.a, w.spec.URL, f.cmd[cmdReset])
	w.record(kResetCmd, r)
	if r.err != errNone {
		return
	}
	action, value, ok := button(r.body, "danger")
	if !ok {
		f.gen++
		f.rebuild()
		return
	}
	o := w.g.click(w.a, w.spec.URL, f, f.admin, action, value)
	w.recordClick(kResetClick, &o)
	if o.ok {
		f.restarts++
		f.learn(o.card)
	}
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

// phaseResult is one phase's figures.
type phaseResult struct {
	Name     string              `json:"name"`
	Target   string              `json:"target"`
	Window   time.Duration       `json:"window_ns"`
	Segments int                 `json:"segments"`
	Kinds    map[string]*figures `json:"kinds"`
	Commands *figures            `json:"commands"` // every slash command
	Writes   *figures            `json:"writes"`   // every click and modal
	All      *figures            `json:"all"`
	Card     latency             `json:"click_to_card"` // click sent → card at the response_url
	Pairs    int64               `json:"stale_pairs"`   // pairs of simultaneous clicks checked
	Errors   int64               `json:"errors"`
	Procs    []procFigures       `json:"processes,omitempty"`
	// MachineCores is the busy CPU of the whole machine; OtherCores the
	// part of it not used by this run's processes (other work on the
	// machine, which skews the figures).
	MachineCores float64          `json:"machine_cpu_cores"`
	OtherCores   float64          `json:"other_processes_cpu_cores"`
	Redis        *redisFigures    `json:"redis,omitempty"`
	Sink         map[string]int64 `json:"fake_slack_calls,omitempty"`
}

type figures struct {
	N      int64            `json:"requests"`
	PerSec float64          `json:"req_per_s"`
	Errors map[string]int64 `json:"errors,omitempty"`
	Lat    latency          `json:"latency"`
}

type latency struct {
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
	Mean time.Duration `json:"mean_ns"`
}

// merge summarises the workers of every segment of a phase; window is
// the phase's total measured time.
func merge(spec phaseSpec, ws []*worker, window time.Duration) *phaseResult {
	pr := &phaseResult{Name: spec.Name, Target: spec.URL, Window: window, Kinds: map[string]*figures{}}
	var all, cmds, writes []time.Duration
	var allE, cmdE, wrE [nErr]int64
	for k := range nKinds {
		var lat []time.Duration
		var errs [nErr]int64
		for _, w := range ws {
			lat = append(lat, w.lat[k]...)
			for e := range nErr {
				errs[e] += w.errs[k][e]
			}
		}
		if len(lat) == 0 && sum(errs) == 0 {
			continue
		}
		pr.Kinds[k.String()] = summarize(lat, errs, window)
		all = append(all, lat...)
		addErrs(&allE, errs)
		if k.interactive() {
			writes = append(writes, lat...)
			addErrs(&wrE, errs)
		} else {
			cmds = append(cmds, lat...)
			addErrs(&cmdE, errs)
		}
	}
	pr.All = summarize(all, allE, window)
	pr.Commands = summarize(cmds, cmdE, window)
	pr.Writes = summarize(writes, wrE, window)
	pr.Errors = sum(allE)
	var card []time.Duration
	for _, w := range ws {
		card = append(card, w.cardLat...)
		pr.Pairs += w.pairs
	}
	pr.Card = percentiles(card)
	return pr
}

func sum(e [nErr]int64) (n int64) {
	for _, v := range e {
		n += v
	}
	return n
}

func addErrs(dst *[nErr]int64, e [nErr]int64) {
	for i, v := range e {
		dst[i] += v
	}
}

func summarize(lat []time.Duration, errs [nErr]int64, window time.Duration) *figures {
	f := &figures{N: int64(len(lat)), Lat: percentiles(lat)}
	if window > 0 {
		f.PerSec = float64(len(lat)) / window.Seconds()
	}
	for e, n := range errs {
		if n > 0 {
			if f.Errors == nil {
				f.Errors = map[string]int64{}
			}
			f.Errors[errNames[e]] = n
		}
	}
	return f
}

func percentiles(lat []time.Duration) latency {
	if len(lat) == 0 {
		return latency{}
	}
	slices.Sort(lat)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(lat))+0.999999) - 1
		return lat[max(0, min(i, len(lat)-1))]
	}
	var total time.Duration
	for _, d := range lat {
		total += d
	}
	return latency{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: lat[len(lat)-1], Mean: total / time.Duration(len(lat))}
}
