package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caisbot/caisbot/dialogs"
)

// signer signs bodies exactly as Slack does: v0=hex(HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body)). One per goroutine: it reuses its MAC.
type signer struct {
	mac hash.Hash
	sum []byte
	hex []byte
}

func newSigner(secret string) *signer {
	return &signer{mac: hmac.New(sha256.New, []byte(secret)), sum: make([]byte, 0, sha256.Size), hex: make([]byte, 3+2*sha256.Size)}
}

// sign returns the X-Slack-Request-Timestamp and X-Slack-Signature values.
func (s *signer) sign(body []byte, now time.Time) (ts, sig string) {
	ts = strconv.FormatInt(now.Unix(), 10)
	s.mac.Reset()
	s.mac.Write([]byte("v0:"))
	s.mac.Write([]byte(ts))
	s.mac.Write([]byte{':'})
	s.mac.Write(body)
	s.sum = s.mac.Sum(s.sum[:0])
	copy(s.hex, "v0=")
	hex.Encode(s.hex[3:], s.sum)
	return ts, string(s.hex)
}

// header builds a signed request's header without the map growth of Set.
func (s *signer) header(body []byte, now time.Time) http.Header {
	ts, sig := s.sign(body, now)
	return http.Header{
		"Content-Type":              {"application/x-www-form-urlencoded"},
		"X-Slack-Request-Timestamp": {ts},
		"X-Slack-Signature":         {sig},
	}
}

// appID and the verification token are what Slack adds to every request;
// the bot ignores them, but they make bodies the size Slack sends.
const (
	appID     = "A0CAISLOAD1"
	verifyTok = "gIkuvaNzQIHg97ATvDxqgjtO"
)

// commandBody is the form Slack posts for a slash command.
func commandBody(f *firm, user, text, responseURL string) []byte {
	v := url.Values{
		"token": {verifyTok}, "team_id": {f.team}, "team_domain": {strings.ToLower(f.team)},
		"channel_id": {f.channel}, "channel_name": {"cais-onboarding"}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"command": {"/cais-next"}, "text": {text}, "api_app_id": {appID}, "is_enterprise_install": {"false"},
		"response_url": {responseURL}, "trigger_id": {"1337." + f.team + ".cmd"},
	}
	return []byte(v.Encode())
}

// clickBody is the form Slack posts for a button click on an ephemeral
// message (Slack omits the message itself for ephemeral ones).
func clickBody(dst []byte, f *firm, user, actionID, value, triggerID, responseURL, actionTS string) []byte {
	var j bytes.Buffer
	j.Grow(1100)
	j.WriteString(`{"type":"block_actions","user":{"id":`)
	jstr(&j, user)
	j.WriteString(`,"username":`)
	jstr(&j, strings.ToLower(user))
	j.WriteString(`,"name":`)
	jstr(&j, strings.ToLower(user))
	j.WriteString(`,"team_id":`)
	jstr(&j, f.team)
	j.WriteString(`},"api_app_id":"` + appID + `","token":"` + verifyTok + `","container":{"type":"message","message_ts":"1700000000.000100","channel_id":`)
	jstr(&j, f.channel)
	j.WriteString(`,"is_ephemeral":true},"trigger_id":`)
	jstr(&j, triggerID)
	j.WriteString(`,"team":{"id":`)
	jstr(&j, f.team)
	j.WriteString(`,"domain":`)
	jstr(&j, strings.ToLower(f.team))
	j.WriteString(`},"enterprise":null,"is_enterprise_install":false,"channel":{"id":`)
	jstr(&j, f.channel)
	j.WriteString(`,"name":"cais-onboarding"},"state":{"values":{}},"response_url":`)
	jstr(&j, responseURL)
	j.WriteString(`,"actions":[{"action_id":`)
	jstr(&j, actionID)
	j.WriteString(`,"block_id":"cais_actions","text":{"type":"plain_text","text":"Confirm","emoji":true},"value":`)
	jstr(&j, value)
	j.WriteString(`,"style":"primary","type":"button","action_ts":`)
	jstr(&j, actionTS)
	j.WriteString(`}]}`)
	return appendPayload(dst, j.Bytes())
}

// submitBody is the view_submission Slack posts when a modal is saved.
func submitBody(dst []byte, f *firm, user string, v viewOpened, input string) []byte {
	var j bytes.Buffer
	j.Grow(900)
	j.WriteString(`{"type":"view_submission","team":{"id":`)
	jstr(&j, f.team)
	j.WriteString(`,"domain":`)
	jstr(&j, strings.ToLower(f.team))
	j.WriteString(`},"user":{"id":`)
	jstr(&j, user)
	j.WriteString(`,"username":`)
	jstr(&j, strings.ToLower(user))
	j.WriteString(`,"team_id":`)
	jstr(&j, f.team)
	j.WriteString(`},"api_app_id":"` + appID + `","token":"` + verifyTok + `","trigger_id":"1337.view","view":{"id":"VLOAD","team_id":`)
	jstr(&j, f.team)
	j.WriteString(`,"type":"modal","callback_id":`)
	jstr(&j, v.CallbackID)
	j.WriteString(`,"private_metadata":`)
	jstr(&j, v.Meta)
	j.WriteString(`,"state":{"values":{`)
	jstr(&j, v.BlockID)
	j.WriteString(`:{`)
	jstr(&j, v.ActionID)
	j.WriteString(`:{"type":"plain_text_input","value":`)
	jstr(&j, input)
	j.WriteString(`}}}},"hash":"1700000000.abcdef","app_id":"` + appID + `"},"response_urls":[],"is_enterprise_install":false}`)
	return appendPayload(dst, j.Bytes())
}

func appendPayload(dst, payload []byte) []byte {
	dst = append(dst[:0], "payload="...)
	return append(dst, url.QueryEscape(string(payload))...)
}

// jstr writes s as a JSON string.
func jstr(b *bytes.Buffer, s string) {
	const hexd = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// button finds the first button with the given style in a Block Kit
// message as the bot encodes it, without decoding the whole message:
// slack-go writes a button's action_id and value before its confirm and
// style, so the last of each before the style belong to that button. The
// value must parse as a caisbot token, else the slow path decodes it.
func button(msg []byte, style string) (actionID, value string, ok bool) {
	i := bytes.Index(msg, []byte(`"style":"`+style+`"`))
	if i < 0 {
		return "", "", false
	}
	value, vok := lastString(msg[:i], `"value":"`)
	actionID, aok := lastString(msg[:i], `"action_id":"`)
	if vok && aok && strings.HasPrefix(actionID, "cais_") {
		if _, err := dialogs.ParseToken(value); err == nil {
			return actionID, value, true
		}
	}
	return buttonSlow(msg, style)
}

func lastString(b []byte, key string) (string, bool) {
	j := bytes.LastIndex(b, []byte(key))
	if j < 0 {
		return "", false
	}
	j += len(key)
	k := bytes.IndexByte(b[j:], '"')
	if k < 0 {
		return "", false
	}
	return string(b[j : j+k]), true
}
