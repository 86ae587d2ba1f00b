package playground

import (
	"encoding/json"
	"testing"
)

// A datepicker in a modal is submitted as Slack submits it: its
// selected_date (null when empty), and a required one must be picked.
func TestDatepickerState(t *testing.T) {
	var body jsonObject
	if err := decodeJSON([]byte(`{"type":"modal","blocks":[
		{"type":"input","block_id":"f_day","label":{"type":"plain_text","text":"Follow up on"},"element":{"type":"datepicker","action_id":"f_day","initial_date":"2027-01-15"}},
		{"type":"input","block_id":"f_opt","optional":true,"label":{"type":"plain_text","text":"Maybe"},"element":{"type":"datepicker","action_id":"f_opt"}}]}`), &body); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(stateValues(body, map[string]map[string]string{"f_day": {"f_day": "2027-01-20"}}))
	want := `{"f_day":{"f_day":{"selected_date":"2027-01-20","type":"datepicker"}},"f_opt":{"f_opt":{"selected_date":null,"type":"datepicker"}}}`
	if string(got) != want {
		t.Errorf("state values\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		value, err string
	}{
		{"", "Please fill out this field."},
		{"2027-02-30", "Please pick a date."},
		{"2027-01-20", ""},
	} {
		errs := checkInputs(body, map[string]map[string]string{"f_day": {"f_day": c.value}})
		if errs["f_day"] != c.err || errs["f_opt"] != "" {
			t.Errorf("%q: errors %v, want %q", c.value, errs, c.err)
		}
	}
	if _, errs := normalizeView([]byte(`{"type":"modal","title":{"type":"plain_text","text":"x"},"blocks":[{"type":"input","label":{"type":"plain_text","text":"d"},"element":{"type":"datepicker","initial_date":"2027-13-01"}}]}`), "modal"); len(errs) == 0 {
		t.Error("a datepicker with an impossible initial_date was accepted")
	}
}
