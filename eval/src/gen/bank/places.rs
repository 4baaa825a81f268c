//! Where callers live and get their care: streets, units, towns, insurers,
//! pharmacies and the clinic's doctors.

pub const STREETS: [&str; 16] = [
    "Maple Avenue",
    "Birch Lane",
    "Lakeview Drive",
    "Oak Street",
    "Cedar Court",
    "Willow Way",
    "Harbor Road",
    "Elm Street",
    "Pine Ridge Road",
    "Chestnut Street",
    "Prospect Avenue",
    "Riverside Drive",
    "Hillcrest Road",
    "Juniper Lane",
    "Sheridan Road",
    "Ashland Avenue",
];

pub const UNITS: [&str; 6] = [
    "",
    "",
    ", apartment 2B",
    ", unit 4",
    ", apartment 11C",
    ", number 3",
];

pub const TOWNS: [&str; 8] = [
    "Evanston",
    "Oak Park",
    "Skokie",
    "Berwyn",
    "Des Plaines",
    "Park Ridge",
    "Naperville",
    "Wilmette",
];

pub const INSURERS: [&str; 8] = [
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicare",
    "Oscar",
    "Ambetter",
];

pub const PHARMACIES: [&str; 7] = [
    "the CVS on Main Street",
    "the Walgreens on Oak Avenue",
    "the Jewel-Osco pharmacy on Central",
    "the Costco pharmacy in Niles",
    "Hometown Drugs on Fifth Street",
    "the Target pharmacy by the mall",
    "the Mariano's pharmacy on Halsted",
];

/// Doctors and whether they are women (for "she"/"he" in the agent's lines).
pub const DOCTORS: [(&str, bool); 8] = [
    ("Dr. Patel", true),
    ("Dr. Nguyen", false),
    ("Dr. Okonkwo", true),
    ("Dr. Feldman", false),
    ("Dr. Alvarez", true),
    ("Dr. Brennan", false),
    ("Dr. Morales", true),
    ("Dr. Lindgren", false),
];
