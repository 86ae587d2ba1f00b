package playground

import (
	"time"
)

// viewAnswer is a views.* answer. Call with mu held.
func (p *Playground) viewAnswer(v *View) jsonObject {
	var body jsonObject
	_ = decodeJSON(v.Body, &body)
	return jsonObject{"view": p.viewObject(v, body, nil)}
}

// takeTrigger checks a trigger_id as Slack does: known, and used within 3 s
// of the action. It returns the user it belongs to. Call with mu held.
func (p *Playground) takeTrigger(id string) (string, jsonObject) {
	t, ok := p.st.triggers[id]
	switch {
	case id == "" || !ok:
		return "", fail("invalid_trigger_id")
	case time.Since(t.at) > triggerTTL:
		return "", fail("expired_trigger_id")
	}
	return t.user, nil
}

func (p *Playground) viewsOpen(a apiArgs) jsonObject {
	view, errs := normalizeView(a.raw("view"), "modal")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	user, bad := p.takeTrigger(a.str("trigger_id"))
	if bad != nil {
		return bad
	}
	v := p.newView(user, "modal", view, "")
	p.st.modals[user] = []*View{v}
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsPush(a apiArgs) jsonObject {
	view, errs := normalizeView(a.raw("view"), "modal")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	user, bad := p.takeTrigger(a.str("trigger_id"))
	if bad != nil {
		return bad
	}
	stack := p.st.modals[user]
	switch {
	case len(stack) == 0:
		return fail("not_found")
	case len(stack) >= 3:
		return fail("push_limit_reached")
	}
	v := p.newView(user, "modal", view, stack[0].ID)
	p.st.modals[user] = append(stack, v)
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsUpdate(a apiArgs) jsonObject {
	p.mu.Lock()
	defer p.mu.Unlock()
	var v *View
	switch {
	case a.str("view_id") != "":
		v = p.st.findView(a.str("view_id"))
	case a.str("external_id") != "":
		v = p.st.findViewByExternalID(a.str("external_id"))
	default:
		return fail("invalid_arguments", "view_id or external_id is required")
	}
	if v == nil {
		return fail("not_found")
	}
	if h := a.str("hash"); h != "" && h != v.Hash {
		return fail("hash_conflict")
	}
	view, errs := normalizeView(a.raw("view"), v.Type)
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.replaceView(v, view)
	p.st.bump()
	return p.viewAnswer(v)
}

func (p *Playground) viewsPublish(a apiArgs) jsonObject {
	user := a.str("user_id")
	if _, ok := p.userByID(user); !ok {
		return fail("user_not_found")
	}
	view, errs := normalizeView(a.raw("view"), "home")
	if len(errs) > 0 {
		return fail("invalid_arguments", errs...)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.st.homes[user]
	if h := a.str("hash"); ok && h != "" && h != v.Hash {
		return fail("hash_conflict")
	}
	if ok {
		p.replaceView(v, view)
	} else {
		v = p.newView(user, "home", view, "")
		p.st.homes[user] = v
	}
	p.st.bump()
	return p.viewAnswer(v)
}
