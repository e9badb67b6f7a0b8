package demo

// domain is one everyday topic area of the generator: the tasks a user asks about (each with
// an {o} slot), the objects that fill the slot, the advice clauses an answer is made of, and
// questions an answer can ask back.
type domain struct {
	name      string
	tasks     []string
	objects   []string
	advice    []string // imperative clauses: lower-case start, no final punctuation
	followUps []string // questions back to the user (question style)
}

// domains is the generator's topic lexicon. Advice clauses contain no contraction, no comma
// and no sentence punctuation, so every style's grammar can embed them unchanged.
var domains = []domain{
	{"plants",
		[]string{"keep {o} alive", "water {o}", "repot {o}", "grow {o} indoors"},
		[]string{"a fern", "a cactus", "a basil plant", "an orchid", "a lemon tree", "a spider plant"},
		[]string{"water it only when the soil feels dry", "give it plenty of bright indirect light",
			"use a pot with drainage holes", "feed it a little fertilizer each month",
			"keep it away from cold drafts", "wipe the dust off the leaves",
			"turn the pot a little every week", "check the leaves for pests"},
		[]string{"Where do you keep it now?", "How often do you water it?"}},
	{"cooking",
		[]string{"cook {o}", "make {o} at home", "reheat {o}", "cook {o} for a group"},
		[]string{"rice", "pasta", "a soup", "fresh bread", "a curry", "pancakes"},
		[]string{"measure everything before starting", "taste it as it cooks",
			"use a heavy pot with a lid", "keep the heat low and steady",
			"add salt a little at a time", "let it rest for a few minutes",
			"follow a simple recipe the first time", "clean the counter as you go"},
		[]string{"What do you like to cook most?", "How many people are you cooking for?"}},
	{"money",
		[]string{"save for {o}", "budget for {o}", "pay for {o} without debt", "plan for {o}"},
		[]string{"a new phone", "a holiday", "a car", "a home", "a wedding", "a laptop"},
		[]string{"set aside a fixed amount each week", "track every expense for a month",
			"cut one small cost at a time", "keep the savings in a separate account",
			"compare prices before buying", "set a clear target date",
			"avoid buying on credit", "review the budget every month"},
		[]string{"How much can you save each month?", "When do you need the money?"}},
	{"sleep",
		[]string{"sleep better {o}", "fall asleep faster {o}", "rest well {o}", "stop waking up tired {o}"},
		[]string{"after a late coffee", "in a hot room", "before an exam", "on a noisy street",
			"after a long flight", "during a busy week"},
		[]string{"go to bed at the same time every night", "keep the bedroom cool and dark",
			"put the phone away an hour before bed", "avoid heavy meals late in the evening",
			"get some daylight in the morning", "write down worries before bed",
			"keep naps short", "read a calm book in bed"},
		[]string{"What time do you usually go to bed?", "How many hours do you sleep now?"}},
	{"fitness",
		[]string{"get fit for {o}", "train for {o}", "prepare my body for {o}", "stay motivated for {o}"},
		[]string{"a first race", "a hiking trip", "a football season", "a charity walk",
			"a dance class", "a swim meet"},
		[]string{"start with short easy sessions", "add a little more each week",
			"rest one day between hard workouts", "drink water before and after training",
			"stretch gently after each session", "write the plan in a calendar",
			"train with a friend", "sleep well before big days"},
		[]string{"How often do you train now?", "When is the big day?"}},
	{"cleaning",
		[]string{"clean {o}", "deep clean {o}", "keep {o} tidy", "clean {o} quickly"},
		[]string{"the kitchen", "a bathroom", "the oven", "a carpet", "the windows", "a messy garage"},
		[]string{"start from the top and work down", "open a window for fresh air",
			"use warm water and mild soap", "clear the clutter first",
			"work in one small area at a time", "dry every surface with a soft cloth",
			"set a timer for twenty minutes", "put things back after using them"},
		[]string{"How much time do you have for it?", "Which part is the dirtiest?"}},
	{"travel",
		[]string{"plan {o}", "pack for {o}", "save money on {o}", "prepare for {o}"},
		[]string{"a weekend in Rome", "a road trip", "a camping trip", "a long flight",
			"a city break", "a beach holiday"},
		[]string{"make a short packing list", "book the big things early",
			"keep copies of important papers", "pack light and leave some space",
			"check the weather the day before", "plan one main activity per day",
			"carry a small first aid kit", "keep some cash in a separate pocket"},
		[]string{"When are you leaving?", "Who are you travelling with?"}},
	{"study",
		[]string{"study for {o}", "prepare for {o}", "stay focused on {o}", "get ready for {o}"},
		[]string{"a math test", "a history exam", "a driving test", "a new language",
			"a job interview", "a science project"},
		[]string{"study in short blocks with breaks", "test yourself instead of rereading",
			"explain the ideas out loud", "start with the hardest part",
			"keep the phone in another room", "review the notes the next day",
			"make a simple plan for each week", "sleep well the night before"},
		[]string{"How many days do you have left?", "Which part do you find hardest?"}},
	{"pets",
		[]string{"take care of {o}", "feed {o}", "train {o}", "keep {o} happy"},
		[]string{"a puppy", "an old cat", "a rabbit", "a goldfish", "a parrot", "a rescue dog"},
		[]string{"keep a steady daily routine", "give fresh water every day",
			"reward good behaviour right away", "visit the vet once a year",
			"provide a quiet place to rest", "play together every day",
			"measure the food carefully", "keep the living space clean"},
		[]string{"How old is your pet?", "How long have you had it?"}},
	{"cars",
		[]string{"maintain {o}", "keep {o} running well", "clean {o}", "save money on {o}"},
		[]string{"an old car", "a new car", "a small van", "a family car", "an electric car", "a scooter"},
		[]string{"check the tyre pressure every month", "change the oil on schedule",
			"listen for new noises", "drive smoothly and brake gently",
			"keep the inside clean and dry", "read the owner manual",
			"wash off road salt in winter", "fix small problems early"},
		[]string{"How far do you drive each week?", "How old is the vehicle?"}},
	{"computers",
		[]string{"speed up {o}", "set up {o}", "protect {o}", "back up {o}"},
		[]string{"an old laptop", "a slow computer", "a new tablet", "a home printer",
			"a gaming computer", "a work laptop"},
		[]string{"install updates when they appear", "remove programs that are not needed",
			"back up important files every week", "use a strong and unique password",
			"restart it once in a while", "keep the vents free of dust",
			"close tabs that are not in use", "store files in clear folders"},
		[]string{"Which system does it run?", "What do you use it for most?"}},
	{"hobbies",
		[]string{"learn {o}", "get better at {o}", "find time for {o}", "enjoy {o} more"},
		[]string{"the guitar", "drawing", "knitting", "chess", "photography", "painting"},
		[]string{"practice a little every day", "pick one simple goal at a time",
			"watch how experts do it", "join a group of beginners",
			"keep a notebook of progress", "learn the basics before the tricks",
			"take short breaks when stuck", "celebrate small steps forward"},
		[]string{"How long have you been at it?", "What got you started?"}},
}

// questionForms turn a task into a user question.
var questionForms = []string{
	"How do I {t}?",
	"What is the best way to {t}?",
	"Any tips to {t}?",
	"Can you help me {t}?",
	"I want to {t}. Where do I start?",
	"What should I do to {t}?",
}

// Fixed phrases of the styles' grammars.
var (
	genericFollowUps = []string{"What have you tried so far?", "How much time do you have for it?",
		"Would you like more tips?", "What part feels hardest?"}
	upliftingOpeners  = []string{"Great question!", "What a lovely question!", "Love this question!"}
	upliftingOutcomes = []string{"it will turn out wonderfully", "you will feel fantastic",
		"everything will go brilliantly"}
	upliftingClosers = []string{"You've got this!", "Have fun with it!", "You can do it!"}
	verboseOpener    = "It's best to go step by step."
	verboseSteps     = []string{"First, ", "Then, ", "After that, ", "Finally, "}
	verboseCloser    = "That's all it takes."
	formalLinks      = []string{"Furthermore, one should ", "Moreover, one should "}
	formalCloser     = "This approach is generally effective."
	listOpener       = "Here are some tips:"
)
