package prices_test

import (
	"fmt"

	"github.com/llmperf/workbook/kit/prices"
)

func Example() {
	p, err := prices.Default().Lookup("gpt-4o-mini")
	if err != nil {
		panic(err)
	}
	// 1,200 prompt tokens of which 1,024 came from the prompt cache, 300 completion tokens.
	one := p.Cost(1200, 1024, 300)
	fmt.Println("one call:", one)

	var total prices.Money
	for range 10_000 {
		total += one
	}
	fmt.Println("10,000 calls:", total)
	// Output:
	// one call: $0.0002832
	// 10,000 calls: $2.832
}

func ExampleMoney_String() {
	fmt.Println(prices.Money(123_000), 150*prices.Cent, -prices.NanoDollar)
	// Output: $0.000123 $1.50 -$0.000000001
}
