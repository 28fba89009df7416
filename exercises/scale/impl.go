package scale

import (
	lessons "github.com/llmperf/workbook/lessons/scale"
	"github.com/redis/go-redis/v9"
)

// Impl connects your code to the suite (lessons/scale/scaletest.Run); no need to edit.
func Impl() lessons.Impl {
	return lessons.Impl{
		NewDedup: func(rdb *redis.Client, o lessons.Options) lessons.Deduper { return NewDedup(rdb, o) },
	}
}
