package data

// Paraphrases is a labelled set for measuring a semantic cache: questions a site team might put to its assistant,
// each with probes that should be answered from it (paraphrases) and probes that must not (near-misses).
//
// How it was made: written by hand for this course, in the vocabulary of the generated site logs (sites, crews,
// materials, levels, grids), not taken from any other data set. Each set's Cached question is one a cache would
// already hold. Each paraphrase keeps the answer the same: a change of case or punctuation, much the same words in
// another order, or other words. Each near-miss changes exactly one thing that changes the answer: a negation, a
// number, a date or time, a name (site, crew, material, person), a word for its opposite (start and finish, pass
// and fail), or the same words in roles that mean something else; none of them means the same as any set's
// Cached question. The labels are the author's judgement, there for a reader to check; the package's tests check
// the rest: every text differs from every other, and every set has probes of both kinds.
//
// It is small on purpose — a few dozen sets — so a notebook cell embeds it in one request. Measure your own
// traffic before trusting a threshold chosen on it.
func Paraphrases() []ParaphraseSet {
	out := make([]ParaphraseSet, len(paraphraseSets))
	for i, s := range paraphraseSets {
		out[i] = ParaphraseSet{Cached: s.Cached, Probes: append([]Probe(nil), s.Probes...)}
	}
	return out
}

// A ParaphraseSet is a question a cache holds and the probes asked of it.
type ParaphraseSet struct {
	Cached string
	Probes []Probe
}

// A Probe is a question asked of a cache that holds its set's Cached question, labelled by how it differs.
type Probe struct {
	Kind ProbeKind
	Text string
}

// ShouldHit reports whether the probe means the same as its set's Cached question, so that a cache should
// answer it with the Cached question's answer.
func (p Probe) ShouldHit() bool { return p.Kind.SameMeaning() }

// ProbeKind says how a probe differs from the question it is asked against.
type ProbeKind string

// The kinds of probe: three of paraphrases, six of near-misses.
const (
	Surface   ProbeKind = "surface"   // same words; case, punctuation or a contraction changed
	Reordered ProbeKind = "reordered" // the same words in another order
	Reworded  ProbeKind = "reworded"  // other words, the same meaning

	Negated  ProbeKind = "negated"  // a negation added or removed
	Number   ProbeKind = "number"   // another level, grid, quantity or id
	Date     ProbeKind = "date"     // another day, week, month, year or time
	Entity   ProbeKind = "entity"   // another site, crew, person, material or machine
	Opposite ProbeKind = "opposite" // a word swapped for its opposite
	Swapped  ProbeKind = "swapped"  // the same words in roles that mean something else
)

// ProbeKinds lists every kind, paraphrases first.
func ProbeKinds() []ProbeKind {
	return []ProbeKind{Surface, Reordered, Reworded, Negated, Number, Date, Entity, Opposite, Swapped}
}

// SameMeaning reports whether probes of this kind are paraphrases.
func (k ProbeKind) SameMeaning() bool { return k == Surface || k == Reordered || k == Reworded }

var paraphraseSets = []ParaphraseSet{
	{"When does the concrete pour on level 3 start?", []Probe{
		{Surface, "when does the concrete pour on level 3 start"},
		{Reordered, "The concrete pour on level 3, when does it start?"},
		{Reworded, "What time does the level 3 slab pour begin?"},
		{Number, "When does the concrete pour on level 4 start?"},
		{Opposite, "When does the concrete pour on level 3 finish?"},
	}},
	{"Did the rebar inspection on level 2 pass?", []Probe{
		{Surface, "did the rebar inspection on level 2 pass"},
		{Reordered, "On level 2, did the rebar inspection pass?"},
		{Reworded, "Was the level 2 reinforcement check approved?"},
		{Opposite, "Did the rebar inspection on level 2 fail?"},
		{Number, "Did the rebar inspection on level 5 pass?"},
	}},
	{"Is the tower crane working today?", []Probe{
		{Surface, "is the tower crane working today"},
		{Reworded, "Is the tower crane operational today?"},
		{Reworded, "Can we use the tower crane today?"},
		{Negated, "Why is the tower crane not working today?"},
		{Date, "Is the tower crane working tomorrow?"},
		{Entity, "Is the concrete pump working today?"},
	}},
	{"How many pallets of plasterboard arrived on Monday?", []Probe{
		{Surface, "how many pallets of plasterboard arrived on monday?"},
		{Reordered, "On Monday, how many pallets of plasterboard arrived?"},
		{Reworded, "What number of plasterboard pallets were delivered on Monday?"},
		{Date, "How many pallets of plasterboard arrived on Tuesday?"},
		{Entity, "How many pallets of insulation boards arrived on Monday?"},
		{Opposite, "How many pallets of plasterboard were sent back on Monday?"},
	}},
	{"List the safety incidents at Riverside Depot in week 12.", []Probe{
		{Surface, "list the safety incidents at Riverside Depot in week 12"},
		{Reordered, "In week 12, list the safety incidents at Riverside Depot."},
		{Reworded, "Which safety incidents happened at Riverside Depot during week 12?"},
		{Date, "List the safety incidents at Riverside Depot in week 13."},
		{Entity, "List the safety incidents at Harbour View Tower in week 12."},
	}},
	{"Who is the site manager at North Gate School?", []Probe{
		{Surface, "who's the site manager at North Gate School?"},
		{Reordered, "At North Gate School, who is the site manager?"},
		{Reworded, "Who runs the site at North Gate School?"},
		{Entity, "Who is the site manager at Maple Street Clinic?"},
		{Swapped, "Who does the site manager at North Gate School report to?"},
	}},
	{"Does crew steel-1 hand over to concrete-2 on Friday?", []Probe{
		{Surface, "does crew steel-1 hand over to concrete-2 on friday"},
		{Reworded, "Is steel-1 handing the area over to concrete-2 on Friday?"},
		{Swapped, "Does crew concrete-2 hand over to steel-1 on Friday?"},
		{Date, "Does crew steel-1 hand over to concrete-2 on Monday?"},
	}},
	{"Was the excavation at grid C4 pumped out after the rain?", []Probe{
		{Surface, "was the excavation at grid C4 pumped out after the rain"},
		{Reworded, "After the rain, did someone pump the water out of the grid C4 excavation?"},
		{Opposite, "Was the excavation at grid C4 pumped out before the rain?"},
		{Number, "Was the excavation at grid C5 pumped out after the rain?"},
	}},
	{"What is the delivery slot for the steel beams?", []Probe{
		{Surface, "What's the delivery slot for the steel beams?"},
		{Reworded, "When are the steel beams due to be delivered?"},
		{Entity, "What is the delivery slot for the glazing units?"},
		{Opposite, "What is the collection slot for the steel beams?"},
	}},
	{"Show the near misses reported by the safety team this week.", []Probe{
		{Reordered, "This week, show the near misses reported by the safety team."},
		{Reworded, "Which near-miss reports did the safety team file this week?"},
		{Date, "Show the near misses reported by the safety team last week."},
		{Swapped, "Show the near misses reported about the safety team this week."},
	}},
	{"Is the scaffold on the east elevation safe to use?", []Probe{
		{Surface, "is the scaffold on the east elevation safe to use"},
		{Reworded, "Can workers use the east elevation scaffold safely?"},
		{Entity, "Is the scaffold on the west elevation safe to use?"},
		{Negated, "Why is the scaffold on the east elevation not safe to use?"},
	}},
	{"List the crews that completed the toolbox talk today.", []Probe{
		{Surface, "list the crews that completed the toolbox talk today"},
		{Reworded, "Which crews have done today's toolbox talk?"},
		{Negated, "List the crews that have not completed the toolbox talk today."},
		{Date, "List the crews that completed the toolbox talk yesterday."},
	}},
	{"Which deliveries arrived on time this week?", []Probe{
		{Surface, "which deliveries arrived on time this week"},
		{Reworded, "Which of this week's deliveries were punctual?"},
		{Negated, "Which deliveries did not arrive on time this week?"},
		{Opposite, "Which deliveries arrived late this week?"},
	}},
	{"How many operatives signed in at Eastfield Bridge on Tuesday?", []Probe{
		{Reordered, "On Tuesday, how many operatives signed in at Eastfield Bridge?"},
		{Reworded, "What was the headcount at Eastfield Bridge on Tuesday?"},
		{Opposite, "How many operatives signed out at Eastfield Bridge on Tuesday?"},
		{Entity, "How many operatives signed in at Cedar Court Housing on Tuesday?"},
	}},
	{"Summarise the equipment faults at Old Mill Lofts in March 2025.", []Probe{
		{Surface, "summarise the equipment faults at Old Mill Lofts in March 2025"},
		{Reworded, "Give me a summary of the March 2025 equipment breakdowns at Old Mill Lofts."},
		{Date, "Summarise the equipment faults at Old Mill Lofts in April 2025."},
		{Date, "Summarise the equipment faults at Old Mill Lofts in March 2024."},
	}},
	{"Are the anchor bolts for grid B2 in stock?", []Probe{
		{Surface, "are the anchor bolts for grid B2 in stock"},
		{Reworded, "Do we have the grid B2 anchor bolts in store?"},
		{Number, "Are the anchor bolts for grid B3 in stock?"},
		{Entity, "Are the copper pipes for grid B2 in stock?"},
	}},
	{"What did the structural engineer say about the crack in column 14?", []Probe{
		{Reordered, "About the crack in column 14, what did the structural engineer say?"},
		{Reworded, "What was the structural engineer's view on the column 14 crack?"},
		{Number, "What did the structural engineer say about the crack in column 41?"},
		{Entity, "What did the architect say about the crack in column 14?"},
	}},
	{"Is the site open on Saturday?", []Probe{
		{Surface, "is the site open on saturday?"},
		{Reworded, "Are we working on Saturday?"},
		{Opposite, "Is the site closed on Saturday?"},
		{Date, "Is the site open on Sunday?"},
	}},
	{"How much C32/40 concrete was placed on level 6?", []Probe{
		{Surface, "how much C32/40 concrete was placed on level 6"},
		{Reworded, "What volume of C32/40 concrete went into level 6?"},
		{Number, "How much C32/40 concrete was placed on level 7?"},
		{Entity, "How much C25/30 concrete was placed on level 6?"},
		{Opposite, "How much C32/40 concrete was rejected on level 6?"},
	}},
	{"Has the fire stopping on level 4 been signed off?", []Probe{
		{Surface, "has the fire stopping on level 4 been signed off"},
		{Reworded, "Is the level 4 fire stopping approved yet?"},
		{Negated, "Which fire stopping on level 4 has not been signed off?"},
		{Number, "Has the fire stopping on level 8 been signed off?"},
	}},
	{"When is the next delivery of roof membrane?", []Probe{
		{Surface, "when is the next delivery of roof membrane"},
		{Reworded, "When does the roof membrane arrive next?"},
		{Opposite, "When was the last delivery of roof membrane?"},
		{Entity, "When is the next delivery of glazing units?"},
	}},
	{"Which subcontractor installed the conduit on level 1?", []Probe{
		{Reordered, "On level 1, which subcontractor installed the conduit?"},
		{Reworded, "Who put in the level 1 conduit?"},
		{Entity, "Which subcontractor installed the copper pipe on level 1?"},
		{Opposite, "Which subcontractor removed the conduit on level 1?"},
	}},
	{"What was the wind speed when lifting stopped at 14:30?", []Probe{
		{Surface, "what was the wind speed when lifting stopped at 14:30"},
		{Reworded, "How windy was it when the lifts were halted at 14:30?"},
		{Date, "What was the wind speed when lifting stopped at 16:30?"},
		{Opposite, "What was the wind speed when lifting resumed at 14:30?"},
	}},
	{"Is the hoist booked for the plumbers on Thursday morning?", []Probe{
		{Surface, "is the hoist booked for the plumbers on thursday morning"},
		{Reworded, "Have the plumbers reserved the hoist for Thursday morning?"},
		{Date, "Is the hoist booked for the plumbers on Thursday afternoon?"},
		{Entity, "Is the hoist booked for the electricians on Thursday morning?"},
	}},
	{"Did the supplier replace the damaged glazing units?", []Probe{
		{Surface, "did the supplier replace the damaged glazing units"},
		{Reworded, "Have the broken glazing units been swapped by the supplier?"},
		{Swapped, "Did we replace the supplier of the damaged glazing units?"},
		{Negated, "Why did the supplier not replace the damaged glazing units?"},
	}},
	{"Who approved change order 17?", []Probe{
		{Surface, "who approved change order 17"},
		{Reworded, "Who signed off change order 17?"},
		{Number, "Who approved change order 71?"},
		{Opposite, "Who rejected change order 17?"},
	}},
	{"Is RFI 203 about the duct clash at grid D7 closed?", []Probe{
		{Surface, "is RFI 203 about the duct clash at grid D7 closed"},
		{Reworded, "Has RFI 203 on the grid D7 duct clash been answered?"},
		{Number, "Is RFI 208 about the duct clash at grid D7 closed?"},
		{Opposite, "Is RFI 203 about the duct clash at grid D7 still open?"},
	}},
	{"How long must the concrete on level 2 cure before we strike the formwork?", []Probe{
		{Surface, "how long must the concrete on level 2 cure before we strike the formwork"},
		{Reworded, "How many days before the level 2 formwork can come off?"},
		{Number, "How long must the concrete on level 9 cure before we strike the formwork?"},
	}},
	{"Did the generator at gate 2 fail its pre-use check?", []Probe{
		{Surface, "did the generator at gate 2 fail its pre-use check"},
		{Reworded, "Was the gate 2 generator failed at the pre-start inspection?"},
		{Opposite, "Did the generator at gate 2 pass its pre-use check?"},
		{Number, "Did the generator at gate 3 fail its pre-use check?"},
	}},
	{"Send the client the weekly report before the progress meeting.", []Probe{
		{Reordered, "Before the progress meeting, send the client the weekly report."},
		{Reworded, "Email the weekly report to the client ahead of the progress meeting."},
		{Opposite, "Send the client the weekly report after the progress meeting."},
	}},
	{"Who reports to J. Okafor on the night shift?", []Probe{
		{Surface, "who reports to J. Okafor on the night shift"},
		{Reworded, "Which people does J. Okafor manage on the night shift?"},
		{Swapped, "Who does J. Okafor report to on the night shift?"},
		{Entity, "Who reports to M. Lindqvist on the night shift?"},
		{Date, "Who reports to J. Okafor on the day shift?"},
	}},
	{"Does the electrical-1 crew wait for plumbing-1 on level 5?", []Probe{
		{Surface, "does the electrical-1 crew wait for plumbing-1 on level 5"},
		{Reworded, "Is electrical-1 waiting on plumbing-1 before starting level 5?"},
		{Swapped, "Does the plumbing-1 crew wait for electrical-1 on level 5?"},
		{Number, "Does the electrical-1 crew wait for plumbing-1 on level 3?"},
	}},
	{"Move the skip from gate 1 to gate 3.", []Probe{
		{Surface, "move the skip from gate 1 to gate 3"},
		{Reworded, "Relocate the gate 1 skip to gate 3."},
		{Swapped, "Move the skip from gate 3 to gate 1."},
		{Number, "Move the skip from gate 1 to gate 4."},
	}},
}
