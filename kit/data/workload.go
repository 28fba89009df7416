package data

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Workload returns n prompts drawn from distinct different ones with Zipf-distributed repeats: the prompt of
// popularity rank k (k = 1 … distinct) is drawn with probability proportional to 1/k^s. s = 0 is uniform; s
// around 1 is typical of real traffic (the most popular prompt is asked far more often than the median one);
// larger s concentrates further. Which prompt gets which rank depends on the seed, and so does the order.
//
// It panics if n > 0 and distinct < 1, or if s is negative or not a number.
func Workload(n, distinct int, s float64, seed int64) []string {
	if n <= 0 {
		return []string{}
	}
	if distinct < 1 {
		panic(fmt.Sprintf("data: Workload needs distinct ≥ 1, got %d", distinct))
	}
	if s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		panic(fmt.Sprintf("data: Workload needs a finite Zipf exponent s ≥ 0, got %v", s))
	}
	r := newRNG(seed, 2)
	cdf := make([]float64, distinct)
	total := 0.0
	for k := range cdf {
		total += math.Pow(float64(k+1), -s)
		cdf[k] = total
	}
	// rank → prompt index, shuffled so the most popular prompt differs from seed to seed.
	perm := make([]int, distinct)
	for i := range perm {
		perm[i] = i
	}
	for i := len(perm) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		perm[i], perm[j] = perm[j], perm[i]
	}
	prompts := make(map[int]string)
	out := make([]string, n)
	for i := range out {
		u := r.float() * total
		rank := min(sort.SearchFloat64s(cdf, u), distinct-1)
		idx := perm[rank]
		p, ok := prompts[idx]
		if !ok {
			p = Prompt(idx)
			prompts[idx] = p
		}
		out[i] = p
	}
	return out
}

var promptTemplates = []string{
	"Summarise the %s reports from %s for week %d in three bullet points.",
	"List every %s entry at %s in week %d with its time, crew and what was done about it.",
	"Draft a short email to the client about the %s events at %s during week %d.",
	"Which crews were involved in %s entries at %s in week %d, and how often?",
	"Explain the likely causes of the %s events at %s in week %d and suggest one fix.",
	"Write a one-paragraph status update on %s at %s for week %d for the site diary.",
}

// Prompt returns the i-th prompt (i ≥ 0) of the catalogue Workload draws from: prompts for different i differ.
func Prompt(i int) string {
	if i < 0 {
		panic("data: Prompt index must be ≥ 0, got " + strconv.Itoa(i))
	}
	t := i % len(promptTemplates)
	i /= len(promptTemplates)
	ev := i % len(events)
	i /= len(events)
	site := i % len(sites)
	i /= len(sites)
	week := i%52 + 1
	i /= 52
	p := fmt.Sprintf(promptTemplates[t], strings.ReplaceAll(events[ev].name, "_", " "), sites[site], week)
	if i > 0 {
		p += fmt.Sprintf(" (Report %d.)", i)
	}
	return p
}
