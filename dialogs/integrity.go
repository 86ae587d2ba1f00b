package dialogs

import (
	"errors"
	"fmt"
)

// ErrIntegrity means a firm's stored record is inconsistent or cannot be
// read: the audit trail is longer or shorter than the progress records, or
// the stored progress or an entry is not what caisbot writes. It is never
// a connection problem and never retried: nothing is changed until someone
// looks (`verify` says what is wrong).
var ErrIntegrity = errors.New("the stored record failed its integrity check")

// IntegrityError says what is wrong with a firm's stored record. Problem
// is written for the person reading `verify`; Err, if any, is the cause
// for the logs.
type IntegrityError struct {
	Firm    string
	Problem string
	Err     error
}

// Integrity returns an *IntegrityError for firm.
func Integrity(firm, problem string, cause error) error {
	return &IntegrityError{Firm: firm, Problem: problem, Err: cause}
}

func (e *IntegrityError) Error() string {
	s := fmt.Sprintf("%s: %s: %s", ErrIntegrity, e.Firm, e.Problem)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes errors.Is(err, ErrIntegrity) true.
func (e *IntegrityError) Is(target error) bool { return target == ErrIntegrity }

func (e *IntegrityError) Unwrap() error { return e.Err }

// IntegrityFailed is what a user is told when their request met a record
// that failed its integrity check.
func IntegrityFailed() Reply {
	return Notice("⚠️ Record failed its integrity check", "The record failed its integrity check, so caisbot did not act on this. Nothing was changed. Run `{cmd} verify` to see what is wrong, keep your exports, and contact your administrator.")
}

// integrityReport is verify's answer when the stored record cannot even be
// read as a trail.
func integrityReport(err error) Reply {
	problem := "the stored record is inconsistent"
	var ie *IntegrityError
	if errors.As(err, &ie) {
		problem = ie.Problem
	}
	return Notice("⚠️ Audit trail broken", fmt.Sprintf("The stored record failed its integrity check: %s. Nothing was changed. Keep your exports and contact your administrator.", problem))
}

// IntegrityHook, set as Service.OnIntegrity, is told of every integrity failure
// it detects, once each: where is "request" (a command or click refused
// because the record failed its check) or "verify" (verify found a
// problem).
type IntegrityHook func(where string)

// noteIntegrity tells the hook about err if it is an integrity failure and
// returns err unchanged.
func (s *Service) noteIntegrity(where string, err error) error {
	if err != nil && errors.Is(err, ErrIntegrity) && s.OnIntegrity != nil {
		s.OnIntegrity(where)
	}
	return err
}
