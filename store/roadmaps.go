package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/caisbot/caisbot/dialogs"
)

// roadmapKey holds one roadmap's YAML, byte for byte, under the hex
// SHA-256 of those bytes (dialogs.Roadmap.SHA256, the hash audit entries
// name). It spans firms, so it has no hash tag; it is never changed or
// deleted, so an entry's roadmap can always be read back.
func (r *Redis) roadmapKey(sum string) string { return r.prefix + "roadmap:" + sum }

// KeepRoadmap stores text under its SHA-256 unless a text is already kept
// there; it returns the hash and whether this call stored it.
func (r *Redis) KeepRoadmap(ctx context.Context, text []byte) (sum string, added bool, err error) {
	h := sha256.Sum256(text)
	sum = hex.EncodeToString(h[:])
	added, err = r.c.SetNX(ctx, r.roadmapKey(sum), text, 0).Result()
	if err != nil {
		return sum, false, unavailable("keep roadmap "+sum, err)
	}
	return sum, added, nil
}

// RoadmapText returns the roadmap text kept under sum; found is false when
// none is. A kept text whose hash is not sum (edited behind the bot's
// back) is an integrity failure.
func (r *Redis) RoadmapText(ctx context.Context, sum string) (text []byte, found bool, err error) {
	text, err = r.c.Get(ctx, r.roadmapKey(sum)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable("read roadmap "+sum, err)
	}
	if h := sha256.Sum256(text); hex.EncodeToString(h[:]) != sum {
		return nil, false, dialogs.Integrity("roadmap "+sum, "the kept roadmap text does not match its SHA-256 (it was edited)", nil)
	}
	return text, true, nil
}

// verify reads entries' roadmaps back through this.
var _ dialogs.RoadmapTexts = (*Redis)(nil)
