package data

// Vocabulary of the generated site logs and documents. Plain ASCII, so any byte cut is a valid string.

var sites = []string{
	"Harbour View Tower", "Riverside Depot", "North Gate School", "Maple Street Clinic", "Eastfield Bridge",
	"Cedar Court Housing", "Airport Cargo Hall", "Old Mill Lofts", "Westbrook Library", "Quarry Road Plant",
	"Lakeside Data Centre", "Union Square Offices",
}

var crews = []string{
	"concrete-1", "concrete-2", "concrete-3", "steel-1", "steel-2", "electrical-1", "electrical-2", "plumbing-1",
	"framing-1", "framing-2", "crane-1", "crane-2", "survey-1", "safety", "roofing-1", "glazing-1",
}

var people = []string{
	"J. Okafor", "M. Lindqvist", "R. Patel", "S. Moreau", "T. Nakamura", "A. Kowalski", "D. Mensah", "L. Garcia",
	"P. O'Brien", "K. Haddad", "E. Rossi", "N. Zhang",
}

var materials = []string{
	"rebar", "formwork ply", "C32/40 concrete", "steel beams", "conduit", "copper pipe", "plasterboard",
	"roof membrane", "glazing units", "anchor bolts", "scaffold tubes", "insulation boards",
}

var equipment = []string{
	"tower crane", "concrete pump", "excavator", "telehandler", "scissor lift", "generator", "hoist",
	"vibratory roller", "welding set", "dewatering pump",
}

// event is a log event with the notes that may follow it; {slots} are filled at random.
type event struct {
	name  string
	notes []string
}

var events = []event{
	{"delivery_received", []string{
		"{n} pallets of {mat} unloaded at gate {g} and checked against the delivery note by {who}.",
		"Delivery of {mat} arrived on time; stored in laydown area {g}, covered against rain.",
		"Received {n} t of {mat}; two bundles damaged in transit, photos sent to the supplier.",
	}},
	{"delivery_delayed", []string{
		"{mat} delivery {n} minutes late; {crew} stood down until {hhmm}.",
		"Supplier called at {hhmm}: {mat} held at the depot, new slot tomorrow morning.",
		"Truck with {mat} turned away, wrong grade on the note; {who} raised it with procurement.",
	}},
	{"pour_started", []string{
		"Pour started on level {lvl}, grid {grid}; {n} m3 planned, pump set up by {hhmm}.",
		"Slab pour level {lvl} under way; slump test passed, {who} supervising.",
	}},
	{"pour_completed", []string{
		"Pour on level {lvl} finished at {hhmm}; {n} m3 placed, curing blankets on.",
		"Columns at grid {grid} poured and vibrated; cubes taken for 7 and 28 day tests.",
	}},
	{"inspection_passed", []string{
		"Rebar inspection level {lvl} passed; cover checked at {n} points by {who}.",
		"Building control visit: drainage at grid {grid} signed off.",
	}},
	{"inspection_failed", []string{
		"Inspection failed at grid {grid}: cover below {n} mm in two places; rework before the pour.",
		"Fire stopping on level {lvl} rejected by {who}; {n} penetrations to redo.",
	}},
	{"safety_incident", []string{
		"Worker from {crew} cut a hand on {mat}; first aid given, back at work by {hhmm}. Report filed by {who}.",
		"Dropped object from level {lvl} near grid {grid}; area cordoned, toolbox talk at {hhmm}.",
	}},
	{"near_miss", []string{
		"Near miss: {equip} reversed without a banksman near gate {g}; drivers briefed.",
		"Unsecured {mat} on level {lvl} edge spotted by {who}; moved and tied down.",
	}},
	{"equipment_fault", []string{
		"{equip} out of service at {hhmm}: hydraulic leak; engineer due in {n} hours.",
		"{equip} failed its pre-use check; replacement ordered, {crew} re-planned.",
	}},
	{"weather_hold", []string{
		"Wind {n} mph at {hhmm}; {equip} stood down, lifting resumed after the gusts eased.",
		"Heavy rain from {hhmm}; excavation at grid {grid} pumped out, work paused {n} minutes.",
	}},
	{"shift_start", []string{
		"{n} operatives signed in; briefing by {who} on today's lifts and the pour on level {lvl}.",
		"Shift started at {hhmm}; permits checked, {crew} on level {lvl}.",
	}},
	{"shift_end", []string{
		"Shift ended at {hhmm}; site secured, {n} operatives signed out.",
		"End of day: {crew} finished level {lvl} walls; housekeeping done at gate {g}.",
	}},
	{"rfi_raised", []string{
		"RFI {n} raised by {who}: clash between {mat} and duct at grid {grid}.",
		"RFI {n}: drawing shows {mat} at level {lvl} but the spec calls for steel; awaiting the designer.",
	}},
	{"change_order", []string{
		"Client change: extra {n} sockets on level {lvl}; estimate to {who} by Friday.",
		"Change order {n} approved: swap {mat} supplier, programme impact two days.",
	}},
}

// routines are the entries a site writes the same way every day.
var routines = []struct{ crew, event, note string }{
	{"site-office", "gates_opened", "Gates opened and the diary started; access routes and welfare cabins checked."},
	{"safety", "toolbox_talk", "Daily toolbox talk held: working at height, exclusion zones and today's lifts; attendance signed."},
	{"safety", "scaffold_inspection", "Daily scaffold and edge protection inspection: no defects found, tags updated."},
	{"site-office", "housekeeping", "Housekeeping round: walkways cleared, waste skips emptied, materials stacked."},
	{"site-office", "weather_check", "Forecast reviewed at the morning meeting: no change to today's plan."},
	{"security", "site_secured", "Site closed and secured: gates locked, plant isolated, alarms set."},
}

var actions = []string{
	"{who} to follow up with the supplier before {hhmm} tomorrow.",
	"Photos uploaded; {crew} to confirm the fix by end of week.",
	"Added to the site diary and the weekly report for the client.",
	"Programme updated; no impact on the level {lvl} handover.",
	"Toolbox talk scheduled for {hhmm} with {crew}.",
}

// Prose for Document and for the occasional long log line.
var (
	subjects = []string{
		"The site team", "The contractor", "Our planner", "The structural engineer", "The client", "Each crew",
		"The safety manager", "The supplier", "A good foreman", "The design team", "The project manager",
		"Every subcontractor",
	}
	verbs = []string{
		"reviews", "updates", "checks", "records", "plans", "questions", "signs off", "schedules", "measures",
		"reports", "compares", "approves",
	}
	objects = []string{
		"the weekly programme", "the pour sequence", "every delivery note", "the lifting plan", "the daily diary",
		"the snagging list", "the crane schedule", "the temporary works design", "the cost report",
		"the drawing register", "the permit to work", "the method statement", "the quality records",
		"the access routes",
	}
	clauses = []string{
		"before the first shift starts", "so that nothing waits on a late answer", "after every inspection",
		"when the weather changes", "because small delays add up over a month", "with the people who do the work",
		"while the crane is idle", "at the end of each day", "so the client sees the same numbers",
		"before any concrete is ordered", "when a supplier misses a slot", "to keep the critical path clear",
	}
	connectors = []string{"In practice,", "As a rule,", "On most sites,", "Meanwhile,", "For that reason,",
		"Later,", "In the same week,", "Above all,"}
)
