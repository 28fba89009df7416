// Package prices turns token counts into dollars: a dated, sourced price table and integer money.
//
// The idea: cost is arithmetic on integers. Money counts nano-dollars in an int64, so summing millions of tiny
// per-call costs is exact, and Price.Cost multiplies and divides integers with documented rounding. Prices are
// data, not code: Default embeds prices.json (OpenAI list prices per 1M tokens as of its "as_of" date, each with
// its source URL), and Load reads an updated copy of that file. List prices change; check them before quoting.
package prices
