package scale

import (
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

// Connect returns a client for the Redis at url (redis://[user:password@]host:port/db, or rediss:// for TLS),
// set to notice a lost Redis within half a second: short timeouts, no retries (a Limiter or Cache that sees a
// failure falls back at once, and tries again by itself). It does not connect until first used. An invalid URL
// is an error that does not quote it (it may hold a password).
func Connect(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, errors.New("scale: not a Redis URL (want redis://host:port/db, with user:password@ before the host if " +
			"it needs one)")
	}
	opt.DialTimeout = 500 * time.Millisecond
	opt.ReadTimeout = 500 * time.Millisecond
	opt.WriteTimeout = 500 * time.Millisecond
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	return redis.NewClient(opt), nil
}
