package mock

import "fmt"

// Fault is a kind of failure the server can inject.
type Fault int

const (
	Fault500           Fault = iota + 1 // 500 server_error
	Fault503                            // 503 overloaded
	Fault429                            // 429 rate_limit_exceeded regardless of the limits
	FaultDrop                           // connection dropped mid-stream (or mid-body)
	FaultSlowFirstByte                  // nothing is sent for Config.SlowFirstByte
)

// AllFaults lists every kind of fault.
func AllFaults() []Fault {
	return []Fault{Fault500, Fault503, Fault429, FaultDrop, FaultSlowFirstByte}
}

var faultNames = map[Fault]string{
	Fault500: "500", Fault503: "503", Fault429: "429", FaultDrop: "drop", FaultSlowFirstByte: "slow-first-byte",
}

// String is the fault's short name, as ParseFault reads it: "500", "503", "429", "drop", "slow-first-byte".
func (f Fault) String() string {
	if n, ok := faultNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// ParseFault reads a fault's short name.
func ParseFault(name string) (Fault, error) {
	for f, n := range faultNames {
		if n == name {
			return f, nil
		}
	}
	return 0, fmt.Errorf("mock: unknown fault %q (known: 500, 503, 429, drop, slow-first-byte)", name)
}

// draws are the seeded random choices made for one request.
type draws struct {
	fault     Fault   // 0 = none
	ttftScale float64 // jitter factor for the time to first token
	itlScale  float64 // jitter factor for inter-token time
	tail      bool    // in the slow tail
}

// draw makes the choices for request number seq. They depend only on the seed and seq.
func (s *Server) draw(seq uint64) draws {
	r := rng(mix(uint64(s.cfg.Seed)) ^ mix(seq))
	d := draws{ttftScale: 1, itlScale: 1}
	if u := r.float(); u < s.cfg.FaultRate {
		d.fault = s.cfg.Faults[r.intn(len(s.cfg.Faults))]
	} else {
		r.next()
	}
	if j := s.cfg.Jitter; j > 0 {
		d.ttftScale = 1 + j*(2*r.float()-1)
		d.itlScale = 1 + j*(2*r.float()-1)
	}
	d.tail = s.cfg.TailRate > 0 && r.float() < s.cfg.TailRate
	return d
}
