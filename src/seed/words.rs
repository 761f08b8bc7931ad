//! The words demo articles and feedback are made of: plausible, plainly invented, and no
//! real person's name.

pub const DEFAULT_SECTIONS: &str = "news,sport,business,politics,culture,science,opinion,travel";

pub const SUBJECTS: &[&str] = &[
    "Council",
    "Minister",
    "Local club",
    "Researchers",
    "Harbour authority",
    "Union",
    "Festival organisers",
    "School board",
    "Rail operator",
    "Museum",
    "Hospital trust",
    "Court",
    "Farmers",
    "Start-up",
    "Coach",
    "Orchestra",
];

pub const VERBS: &[&str] = &[
    "approves",
    "rejects",
    "delays",
    "announces",
    "questions",
    "backs",
    "unveils",
    "cuts",
    "expands",
    "reviews",
    "defends",
    "rethinks",
];

pub const OBJECTS: &[&str] = &[
    "new cycle lanes",
    "next year's budget",
    "plan for the old docks",
    "summer timetable",
    "ticket prices",
    "housing scheme",
    "water charges",
    "youth programme",
    "night buses",
    "school meals",
    "stadium upgrade",
    "flood defences",
    "library hours",
    "wind farm",
];

pub const ENDINGS: &[&str] = &[
    "",
    "",
    "",
    " after long debate",
    " amid protests",
    " as costs rise",
    " for a second time",
    ": what it means for you",
];

pub const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Robin", "Kim", "Jo", "Noor", "Ira", "Lena", "Tomas", "Ada", "Yusuf", "Mei",
];

pub const LAST_NAMES: &[&str] = &[
    "Example",
    "Sample",
    "Placeholder",
    "Demo",
    "Fictive",
    "Invented",
    "Madeup",
    "Testwell",
];

pub const FEEDBACK: &[&str] = &[
    "The headline promised more than the article delivered.",
    "Important facts are missing.",
    "Too long: the point only comes in the last paragraph.",
    "The figures in the third paragraph look wrong to me.",
    "One-sided: the other view is not heard at all.",
    "Out of date, this changed last week.",
    "Hard to follow without more background.",
    "The photo caption names the wrong place.",
];
