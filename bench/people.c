/* people: the synthetic population of bench-resolve. See people.h. */
#include "people.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identifiers.h"
/* ---------------------------------------------------------------- randomness and time */

/* splitmix64: small, fast, and the same on every machine. */
uint64_t people_next(people_rng_t *r) {
  uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint32_t people_below(people_rng_t *r, uint32_t n) {
  return (uint32_t)(people_next(r) % n);
}

static double s_unit(people_rng_t *r) {
  return (double)(people_next(r) >> 11) * 0x1.0p-53;
}

/* A civil date from days since 1970-01-01 (Howard Hinnant's algorithm,
 * proleptic Gregorian). */
static void s_civil(int32_t z, int *y, int *m, int *d) {
  z += 719468;
  int era = (z >= 0 ? z : z - 146096) / 146097;
  int doe = z - era * 146097;
  int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* ---------------------------------------------------------------- names and places */

static const char *const GIRLS[] = {
    "Olivia",    "Amelia",    "Isla",     "Ava",      "Mia",        "Ivy",       "Lily",
    "Isabella",  "Rosie",     "Sophia",   "Grace",    "Willow",     "Freya",     "Florence",
    "Emily",     "Ella",      "Poppy",    "Evie",     "Elsie",      "Charlotte", "Evelyn",
    "Sienna",    "Sofia",     "Daisy",    "Phoebe",   "Sophie",     "Alice",     "Harper",
    "Matilda",   "Ruby",      "Emilia",   "Maya",     "Millie",     "Isabelle",  "Eva",
    "Luna",      "Jessica",   "Arabella", "Chloe",    "Aria",       "Esme",      "Bonnie",
    "Mila",      "Scarlett",  "Layla",    "Violet",   "Hallie",     "Penelope",  "Lucy",
    "Ellie",     "Harriet",   "Thea",     "Holly",    "Molly",      "Imogen",    "Hannah",
    "Lola",      "Orla",      "Margot",   "Mabel",    "Nancy",      "Darcie",    "Ada",
    "Zara",      "Erin",      "Jasmine",  "Maisie",   "Lottie",     "Maria",     "Eliza",
    "Robyn",     "Heidi",     "Lyla",     "Aurora",   "Eleanor",    "Beatrice",  "Ayla",
    "Amber",     "Elizabeth", "Georgia",  "Clara",    "Rose",       "Anna",      "Edith",
    "Iris",      "Emma",      "Sarah",    "Laura",    "Rebecca",    "Amy",       "Rachel",
    "Claire",    "Lisa",      "Helen",    "Karen",    "Nicola",     "Kelly",     "Joanne",
    "Michelle",  "Victoria",  "Louise",   "Samantha", "Natalie",    "Kerry",     "Kirsty",
    "Gemma",     "Zoe",       "Leanne",   "Stacey",   "Donna",      "Tracy",     "Julie",
    "Susan",     "Margaret",  "Patricia", "Linda",    "Barbara",    "Jean",      "Christine",
    "Mary",      "Janet",     "Carol",    "Sandra",   "Pauline",    "Elaine",    "Wendy",
    "Deborah",   "Angela",    "Tina",     "Dawn",     "Jacqueline", "Alison",    "Fiona",
    "Catherine", "Jennifer",  "Katie",    "Lauren",   "Megan",      "Bethany",   "Abigail",
    "Shannon",   "Courtney",  "Jade",     "Chelsea",  "Paige",      "Aisha",     "Fatima",
    "Zainab",    "Maryam",    "Amina",    "Priya",    "Anjali",     "Agnieszka", "Katarzyna",
    "Oliwia",    "Zuzanna",   "Siobhan",  "Niamh",    "Aoife",      "Ciara",     "Bronwen",
    "Carys",     "Seren",     "Eilidh",   "Morag",    "Kayleigh",   "Demi",      "Tia",
};

static const char *const BOYS[] = {
    "Muhammad", "Noah",        "Oliver",  "George",  "Leo",     "Arthur",  "Oscar",
    "Harry",    "Archie",      "Jack",    "Henry",   "Charlie", "Freddie", "Theodore",
    "Thomas",   "Finley",      "Theo",    "Alfie",   "Jacob",   "Teddy",   "Lucas",
    "Tommy",    "Isaac",       "William", "Arlo",    "Roman",   "Ezra",    "Joshua",
    "Albie",    "James",       "Luca",    "Hugo",    "Elijah",  "Reggie",  "Alexander",
    "Max",      "Edward",      "Louie",   "Mason",   "Rory",    "Jude",    "Ethan",
    "Sonny",    "Harrison",    "Frankie", "Ronnie",  "Toby",    "Ollie",   "Jaxon",
    "Rowan",    "Jesse",       "Grayson", "Otis",    "Daniel",  "Bobby",   "Samuel",
    "Joseph",   "Benjamin",    "Ralph",   "Ibrahim", "Dylan",   "Jenson",  "Caleb",
    "Jasper",   "Milo",        "Adam",    "Ali",     "Yusuf",   "Felix",   "Stanley",
    "Louis",    "Elliot",      "Riley",   "Chester", "Nathan",  "Austin",  "Gabriel",
    "David",    "Michael",     "Paul",    "Andrew",  "Mark",    "John",    "Richard",
    "Robert",   "Christopher", "Stephen", "Peter",   "Anthony", "Kevin",   "Gary",
    "Darren",   "Lee",         "Craig",   "Wayne",   "Dean",    "Scott",   "Jason",
    "Matthew",  "Simon",       "Ian",     "Neil",    "Martin",  "Graham",  "Keith",
    "Brian",    "Alan",        "Colin",   "Trevor",  "Kenneth", "Raymond", "Derek",
    "Dennis",   "Roy",         "Barry",   "Terry",   "Malcolm", "Gordon",  "Stuart",
    "Ryan",     "Liam",        "Connor",  "Kieran",  "Callum",  "Jordan",  "Bradley",
    "Aaron",    "Jamie",       "Kyle",    "Luke",    "Adrian",  "Philip",  "Jonathan",
    "Mohammed", "Ahmed",       "Omar",    "Hamza",   "Bilal",   "Arjun",   "Rohan",
    "Jakub",    "Kacper",      "Szymon",  "Piotr",   "Tomasz",  "Sean",    "Ciaran",
    "Declan",   "Dafydd",      "Rhys",    "Owain",   "Hamish",  "Angus",   "Euan",
};

static const char *const SURNAMES[] = {
    "Smith",      "Jones",      "Williams",  "Taylor",   "Brown",     "Davies",     "Evans",
    "Wilson",     "Thomas",     "Johnson",   "Roberts",  "Robinson",  "Thompson",   "Wright",
    "Walker",     "White",      "Edwards",   "Hughes",   "Green",     "Hall",       "Lewis",
    "Harris",     "Clarke",     "Patel",     "Jackson",  "Wood",      "Turner",     "Martin",
    "Cooper",     "Hill",       "Ward",      "Morris",   "Moore",     "Clark",      "Lee",
    "King",       "Baker",      "Harrison",  "Morgan",   "Allen",     "James",      "Scott",
    "Phillips",   "Watson",     "Davis",     "Parker",   "Price",     "Bennett",    "Young",
    "Griffiths",  "Mitchell",   "Kelly",     "Cook",     "Carter",    "Richardson", "Bailey",
    "Collins",    "Bell",       "Shaw",      "Murphy",   "Miller",    "Cox",        "Richards",
    "Khan",       "Marshall",   "Anderson",  "Simpson",  "Ellis",     "Adams",      "Singh",
    "Begum",      "Wilkinson",  "Foster",    "Chapman",  "Powell",    "Webb",       "Rogers",
    "Gray",       "Mason",      "Ali",       "Hunt",     "Hussain",   "Campbell",   "Matthews",
    "Owen",       "Palmer",     "Holmes",    "Mills",    "Barnes",    "Knight",     "Lloyd",
    "Butler",     "Russell",    "Barker",    "Fisher",   "Stevens",   "Jenkins",    "Murray",
    "Dixon",      "Harvey",     "Graham",    "Pearson",  "Ahmed",     "Fletcher",   "Walsh",
    "Kaur",       "Gibson",     "Howard",    "Andrews",  "Stewart",   "Elliott",    "Reynolds",
    "Saunders",   "Payne",      "Fox",       "Ford",     "Pearce",    "Day",        "Brooks",
    "West",       "Lawrence",   "Cole",      "Atkinson", "Bradley",   "Spencer",    "Gill",
    "Dawson",     "Ball",       "Burton",    "O'Brien",  "Watts",     "Rose",       "Booth",
    "Perry",      "Ryan",       "Grant",     "Wells",    "Armstrong", "Francis",    "Rees",
    "Hayes",      "Hart",       "Hudson",    "Newman",   "Barrett",   "Webster",    "Hunter",
    "Gregory",    "Carr",       "Lowe",      "Page",     "Marsh",     "Riley",      "Dunn",
    "Woods",      "Parsons",    "Berry",     "Stone",    "Reid",      "Holland",    "Hawkins",
    "Harding",    "Porter",     "Robertson", "Newton",   "Oliver",    "Reed",       "Kennedy",
    "Williamson", "Bird",       "Gardner",   "Shah",     "Dean",      "Lane",       "Cooke",
    "Bates",      "Henderson",  "Parry",     "Burgess",  "Bishop",    "Walton",     "Burns",
    "Nicholson",  "Shepherd",   "Ross",      "Cross",    "Long",      "Freeman",    "Warren",
    "Nicholls",   "Hamilton",   "Byrne",     "Sutton",   "McDonald",  "Yates",      "Hodgson",
    "Robson",     "Curtis",     "Hopkins",   "O'Connor", "Harper",    "Coleman",    "Watkins",
    "Moss",       "McCarthy",   "Chambers",  "Griffin",  "Sharp",     "Hardy",      "Wheeler",
    "Potter",     "Osborne",    "Johnston",  "Gordon",   "Doyle",     "Wallace",    "George",
    "Jordan",     "Hutchinson", "Rowe",      "Burke",    "May",       "Pritchard",  "Gilbert",
    "Willis",     "Higgins",    "Read",      "Miles",    "Stevenson", "Stephenson", "Hammond",
    "Arnold",     "Buckley",    "Walters",   "Hewitt",   "Barber",    "Nelson",     "Slater",
    "Austin",     "Sullivan",   "Whitehead", "Mann",     "Frost",     "Lambert",    "Stephens",
    "Blake",      "Akhtar",     "Lynch",     "Goodwin",  "Barton",    "Woodward",   "Thomson",
    "Cunningham", "Quinn",      "Barnett",   "Baxter",   "Bibi",      "Clayton",    "Nash",
    "Greenwood",  "Jennings",   "Holt",      "Kemp",     "Poole",     "Gallagher",  "Bond",
    "Stokes",     "Tucker",     "Davidson",  "Fowler",   "Heath",     "Norman",     "Middleton",
    "Lawson",     "Banks",      "French",    "Stanley",  "Jarvis",    "Gibbs",      "Ferguson",
    "Hayward",    "Carroll",    "Farrell",   "Nowak",    "Kowalski",  "Wisniewski", "Wojcik",
};

/* English place-name surnames are mostly two parts: Ash + worth, Brad + ley. */
static const char *const PARTS_A[] = {
    "Ash",   "Brad",  "Brook", "Hol",   "Whit",   "Black", "Clay", "Cran", "Dal",   "Ed",
    "Fair",  "Hart",  "Hay",   "Kings", "Lang",   "Mar",   "Mid",  "New",  "North", "Old",
    "Ox",    "Pen",   "Ray",   "Red",   "Ridge",  "Roth",  "Sel",  "Shel", "South", "Stan",
    "Staf",  "Thorn", "Tun",   "Wal",   "Well",   "West",  "Wes",  "Wind", "Win",   "Wor",
    "Ather", "Bar",   "Bel",   "Bram",  "Brom",   "Chal",  "Chat", "Cold", "Dun",   "Farn",
    "Hal",   "Hun",   "Kel",   "Lin",   "Mel",    "Mor",   "Nor",  "Pres", "Rad",   "Ros",
    "Sax",   "Stock", "Sut",   "Tam",   "Hether", "Brig",  "Cal",  "Dray", "Elm",   "Frith",
};

static const char *const PARTS_B[] = {
    "ley",    "ton",     "field", "wood",  "worth", "ford",   "by",    "ham",  "well", "combe",
    "more",   "wick",    "stead", "ridge", "dale",  "hurst",  "land",  "bury", "gate", "cliffe",
    "thorpe", "brook",   "shaw",  "den",   "croft", "man",    "er",    "son",  "ing",  "low",
    "stone",  "borough", "ock",   "leigh", "cott",  "wright", "smith", "ward", "lock", "win",
};

static const char *const STREETS[] = {
    "Canal",      "Church",      "Station",  "Victoria",   "Park",     "Queens",   "Kings",
    "Mill",       "High",        "London",   "Manor",      "Albert",   "Grange",   "School",
    "Green",      "Springfield", "Chapel",   "Cedar",      "Oak",      "Elm",      "Beech",
    "Ash",        "Willow",      "Meadow",   "Orchard",    "Windsor",  "York",     "Richmond",
    "Highfield",  "Hillside",    "Farm",     "Garden",     "Rectory",  "Vicarage", "Bridge",
    "Castle",     "Market",      "New",      "Old",        "North",    "South",    "West",
    "East",       "Alexandra",   "Stanley",  "Clarence",   "Grove",    "Brook",    "Riverside",
    "Lime",       "Poplar",      "Chestnut", "Sycamore",   "Hawthorn", "Rowan",    "Heather",
    "Primrose",   "Fern",        "Ivy",      "Holly",      "Laurel",   "Maple",    "Birch",
    "Hazel",      "Cromwell",    "Nelson",   "Wellington", "Tennyson", "Milton",   "Shelley",
    "Byron",      "Keats",       "Darwin",   "Newton",     "Faraday",  "Brunel",   "Telford",
    "Stephenson", "Wesley",      "Baptist",
};

static const char *const STREET_KINDS[] = {
    "Road",  "Street",  "Lane",     "Avenue", "Close", "Drive",   "Way",
    "Court", "Gardens", "Crescent", "Grove",  "Place", "Terrace", "Rise",
};

/* Postcode areas and a town in each. */
static const char *const AREAS[][2] = {
    {"AL", "St Albans"},     {"B", "Birmingham"},     {"BA", "Bath"},
    {"BB", "Blackburn"},     {"BD", "Bradford"},      {"BH", "Bournemouth"},
    {"BL", "Bolton"},        {"BN", "Brighton"},      {"BR", "Bromley"},
    {"BS", "Bristol"},       {"CA", "Carlisle"},      {"CB", "Cambridge"},
    {"CF", "Cardiff"},       {"CH", "Chester"},       {"CM", "Chelmsford"},
    {"CO", "Colchester"},    {"CR", "Croydon"},       {"CT", "Canterbury"},
    {"CV", "Coventry"},      {"CW", "Crewe"},         {"DA", "Dartford"},
    {"DE", "Derby"},         {"DH", "Durham"},        {"DL", "Darlington"},
    {"DN", "Doncaster"},     {"DT", "Dorchester"},    {"DY", "Dudley"},
    {"E", "London"},         {"EN", "Enfield"},       {"EX", "Exeter"},
    {"GL", "Gloucester"},    {"GU", "Guildford"},     {"HA", "Harrow"},
    {"HD", "Huddersfield"},  {"HG", "Harrogate"},     {"HP", "Hemel Hempstead"},
    {"HR", "Hereford"},      {"HU", "Hull"},          {"HX", "Halifax"},
    {"IG", "Ilford"},        {"IP", "Ipswich"},       {"KT", "Kingston"},
    {"L", "Liverpool"},      {"LA", "Lancaster"},     {"LE", "Leicester"},
    {"LN", "Lincoln"},       {"LS", "Leeds"},         {"LU", "Luton"},
    {"M", "Manchester"},     {"ME", "Rochester"},     {"MK", "Milton Keynes"},
    {"N", "London"},         {"NE", "Newcastle"},     {"NG", "Nottingham"},
    {"NN", "Northampton"},   {"NR", "Norwich"},       {"NW", "London"},
    {"OL", "Oldham"},        {"OX", "Oxford"},        {"PE", "Peterborough"},
    {"PL", "Plymouth"},      {"PO", "Portsmouth"},    {"PR", "Preston"},
    {"RG", "Reading"},       {"RH", "Redhill"},       {"RM", "Romford"},
    {"S", "Sheffield"},      {"SE", "London"},        {"SG", "Stevenage"},
    {"SK", "Stockport"},     {"SL", "Slough"},        {"SN", "Swindon"},
    {"SO", "Southampton"},   {"SR", "Sunderland"},    {"SS", "Southend"},
    {"ST", "Stoke"},         {"SW", "London"},        {"TA", "Taunton"},
    {"TF", "Telford"},       {"TN", "Tonbridge"},     {"TQ", "Torquay"},
    {"TS", "Middlesbrough"}, {"TW", "Twickenham"},    {"UB", "Southall"},
    {"W", "London"},         {"WA", "Warrington"},    {"WD", "Watford"},
    {"WF", "Wakefield"},     {"WN", "Wigan"},         {"WR", "Worcester"},
    {"WS", "Walsall"},       {"WV", "Wolverhampton"}, {"YO", "York"},
};

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define S_N_BASE S_COUNT(SURNAMES)
#define S_N_COMPOUND (S_COUNT(PARTS_A) * S_COUNT(PARTS_B))
#define S_N_DOUBLE 2000u
#define S_N_SURNAMES (S_N_BASE + S_N_COMPOUND + S_N_DOUBLE)

/* A table of names drawn with weight 1 / (rank + 10): a few names are
 * common, most are rare, as in a real population. */

static int s_zipf_init(people_zipf_t *z, size_t n) {
  z->cdf = malloc(n * sizeof *z->cdf);
  z->n = n;
  if (z->cdf == NULL) {
    return -ENOMEM;
  }
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    sum += 1.0 / ((double)i + 10.0);
    z->cdf[i] = sum;
  }
  for (size_t i = 0; i < n; i++) {
    z->cdf[i] /= sum;
  }
  return 0;
}

static uint32_t s_zipf_draw(const people_zipf_t *z, people_rng_t *r) {
  double u = s_unit(r);
  size_t lo = 0, hi = z->n - 1;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (z->cdf[mid] < u) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return (uint32_t)lo;
}

/* ---------------------------------------------------------------- the person model */

void people_world_free(people_world_t *w) {
  free(w->surnames);
  free(w->base.cdf);
  free(w->girls.cdf);
  free(w->boys.cdf);
  free(w->postcodes);
  free(w->people);
}

int people_world_init(people_world_t *w, size_t n_people, uint64_t seed) {
  memset(w, 0, sizeof *w);
  people_rng_t r = {seed ^ 0x5EED5EED5EEDULL};
  w->surnames = calloc(S_N_SURNAMES, sizeof *w->surnames);
  w->n_postcodes = n_people / 40 > 500 ? n_people / 40 : 500;
  w->postcodes = calloc(w->n_postcodes, sizeof *w->postcodes);
  /* A little room: households are drawn whole until n_people is reached. */
  w->people = calloc(n_people + 8, sizeof *w->people);
  if (w->surnames == NULL || w->postcodes == NULL || w->people == NULL ||
      s_zipf_init(&w->base, S_N_BASE) || s_zipf_init(&w->girls, S_COUNT(GIRLS)) ||
      s_zipf_init(&w->boys, S_COUNT(BOYS))) {
    return -ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < S_N_BASE; i++) {
    snprintf(w->surnames[k++], PEOPLE_NAME_LEN, "%s", SURNAMES[i]);
  }
  for (size_t a = 0; a < S_COUNT(PARTS_A); a++) {
    for (size_t b = 0; b < S_COUNT(PARTS_B); b++) {
      snprintf(w->surnames[k++], PEOPLE_NAME_LEN, "%s%s", PARTS_A[a], PARTS_B[b]);
    }
  }
  for (size_t i = 0; i < S_N_DOUBLE; i++) {
    size_t a = people_below(&r, S_N_BASE), b = people_below(&r, S_N_BASE);
    snprintf(w->surnames[k++], PEOPLE_NAME_LEN, "%s-%s", SURNAMES[a],
             SURNAMES[b == a ? (b + 1) % S_N_BASE : b]);
  }
  /* Postcodes: area, district 1-29, sector 0-9, unit of two letters from
   * those the Royal Mail uses in inward codes. */
  static const char UNIT[] = "ABDEFGHJLNPQRSTUWXYZ";
  for (size_t i = 0; i < w->n_postcodes; i++) {
    people_postcode_t *p = &w->postcodes[i];
    p->area = (uint8_t)people_below(&r, S_COUNT(AREAS));
    snprintf(p->code, sizeof p->code, "%s%u %u%c%c", AREAS[p->area][0], 1 + people_below(&r, 29),
             people_below(&r, 10), UNIT[people_below(&r, 20)], UNIT[people_below(&r, 20)]);
    p->street = (uint8_t)people_below(&r, S_COUNT(STREETS));
    p->kind = (uint8_t)people_below(&r, S_COUNT(STREET_KINDS));
  }
  return 0;
}

static uint32_t s_draw_surname(const people_world_t *w, people_rng_t *r) {
  double u = s_unit(r);
  if (u < 0.30) {
    return s_zipf_draw(&w->base, r); /* Smith is about 1% of everyone */
  }
  if (u < 0.97) {
    return (uint32_t)(S_N_BASE + people_below(r, S_N_COMPOUND));
  }
  return (uint32_t)(S_N_BASE + S_N_COMPOUND + people_below(r, S_N_DOUBLE));
}

/* A date of birth for someone aged between lo and hi years at PEOPLE_T0_MS. */
static int32_t s_draw_dob(people_rng_t *r, int lo, int hi) {
  int32_t today = (int32_t)(PEOPLE_T0_MS / PEOPLE_DAY_MS);
  int32_t oldest = today - (int32_t)((double)(hi + 1) * 365.2425) + 1;
  int32_t youngest = today - (int32_t)((double)lo * 365.2425);
  return oldest + (int32_t)people_below(r, (uint32_t)(youngest - oldest + 1));
}

static int s_age_of(int32_t dob) {
  int y, m, d;
  s_civil(dob, &y, &m, &d);
  return 2026 - y - 1 + (m == 1 && d == 1); /* PEOPLE_T0_MS is 1 January */
}

/* The 9-digit body of a valid NHS number (from 400000000), unique per
 * serial: serials are spread over 10^8 by a multiplier coprime with 10. */
static uint32_t s_nhs_body(uint32_t serial, uint32_t first_digit) {
  return first_digit * 100000000u + (uint32_t)(((uint64_t)serial * 48271u + 12345u) % 100000000u);
}

static int s_nhs_check_digit(uint32_t body) {
  int sum = 0;
  for (int i = 8, weight = 2; i >= 0; i--, weight++) {
    sum += (int)(body % 10) * weight;
    body /= 10;
  }
  int c = 11 - sum % 11;
  return c == 11 ? 0 : c; /* 10: no valid number has this body */
}

/* The next valid NHS number body, from first digit 4 (index) or 7 (new). */
static uint32_t s_next_nhs(people_world_t *w, uint32_t first_digit) {
  for (;;) {
    uint32_t body = s_nhs_body(w->next_nhs++, first_digit);
    if (s_nhs_check_digit(body) != 10) {
      return body;
    }
  }
}

/* One household of 1-5 people into out[] (room for 5); returns its size. */
size_t people_household(people_world_t *w, people_rng_t *r, people_person_t *out, uint32_t first,
                        int with_child, uint32_t nhs_first_digit) {
  static const double SIZE_CDF[] = {0.28, 0.63, 0.79, 0.93, 1.0};
  size_t n = 1;
  double u = s_unit(r);
  while (n < 5 && u > SIZE_CDF[n - 1]) {
    n++;
  }
  if (with_child && n < 2) {
    n = 2;
  }
  bool family = with_child || (n >= 2 && s_unit(r) < 0.7);
  size_t adults = family ? (n >= 3 && s_unit(r) < 0.75 ? 2 : 1) : n;
  uint32_t surname = s_draw_surname(w, r);
  uint32_t postcode = people_below(r, (uint32_t)w->n_postcodes);
  uint16_t house = (uint16_t)(1 + people_below(r, 200));
  uint8_t flat = s_unit(r) < 0.12 ? (uint8_t)(1 + people_below(r, 12)) : 0;
  bool nhs = s_unit(r) < 0.5;
  int head_age = 0;
  for (size_t i = 0; i < n; i++) {
    people_person_t *p = &out[i];
    memset(p, 0, sizeof *p);
    p->household = first;
    p->postcode = postcode;
    p->house = house;
    p->flat = flat;
    p->surname = surname;
    if (i == 0) {
      p->sex = (uint8_t)(1 + people_below(r, 2));
      p->dob = family ? s_draw_dob(r, 22, 55) : s_draw_dob(r, 18, 90);
      head_age = s_age_of(p->dob);
      p->size = (uint8_t)n;
    } else if (i < adults) {
      /* A partner: mostly the other sex and of a similar age; some keep
       * their own surname. */
      p->sex = s_unit(r) < 0.9 ? (uint8_t)(3 - out[0].sex) : out[0].sex;
      int lo = head_age - 6 < 18 ? 18 : head_age - 6;
      p->dob = family ? s_draw_dob(r, lo, head_age + 6) : s_draw_dob(r, 18, 90);
      if (s_unit(r) < 0.2 || !family) {
        p->surname = s_draw_surname(w, r);
      }
    } else {
      p->sex = (uint8_t)(1 + people_below(r, 2));
      int hi = head_age - 18 < 17 ? head_age - 18 : 17;
      p->dob = s_draw_dob(r, 0, hi < 0 ? 0 : hi);
    }
    p->given = p->sex == PEOPLE_SEX_F ? (uint16_t)s_zipf_draw(&w->girls, r)
                                      : (uint16_t)s_zipf_draw(&w->boys, r);
    p->flags = s_age_of(p->dob) < 18 ? PEOPLE_F_CHILD : 0;
    if (nhs) {
      p->flags |= PEOPLE_F_NHS;
      p->nhs = s_next_nhs(w, nhs_first_digit);
    }
  }
  return n;
}

void people_world_people(people_world_t *w, size_t n_people, uint64_t seed) {
  people_rng_t r = {seed};
  w->n_people = 0;
  w->next_nhs = 0;
  while (w->n_people < n_people) {
    people_person_t hh[5];
    size_t n = people_household(w, &r, hh, (uint32_t)w->n_people, 0, 4);
    if (n > n_people - w->n_people) {
      n = n_people - w->n_people;
      hh[0].size = (uint8_t)n;
    }
    memcpy(&w->people[w->n_people], hh, n * sizeof hh[0]);
    w->n_people += n;
  }
}

/* ---------------------------------------------------------------- Person messages */

/* Change one letter (not the first) of the surname to another letter of
 * the same case: one edit, as a clerk's typo. */
static void s_typo(char *name, people_rng_t *r) {
  size_t pos[PEOPLE_NAME_LEN], n = 0;
  for (size_t i = 1; name[i] != '\0'; i++) {
    char c = name[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      pos[n++] = i;
    }
  }
  if (n == 0) {
    return;
  }
  size_t i = pos[people_below(r, (uint32_t)n)];
  char base = name[i] >= 'a' ? 'a' : 'A';
  char c = (char)(base + (name[i] - base + 1 + (int)people_below(r, 25)) % 26);
  name[i] = c;
}

void people_pb_fill(people_pb_t *b, const people_world_t *w, const people_person_t *m,
                    const char *ref, people_rng_t *typo) {
  memset(b, 0, sizeof *b);
  mash__v1__person__init(&b->p);
  mash__v1__address__init(&b->addr);
  snprintf(b->given, sizeof b->given, "%s",
           m->sex == PEOPLE_SEX_F ? GIRLS[m->given] : BOYS[m->given]);
  snprintf(b->family, sizeof b->family, "%s", w->surnames[m->surname]);
  if (typo != NULL) {
    s_typo(b->family, typo);
  }
  int y, mo, d;
  s_civil(m->dob, &y, &mo, &d);
  snprintf(b->dob, sizeof b->dob, "%04d-%02d-%02d", y, mo, d);
  const people_postcode_t *pc = &w->postcodes[m->postcode];
  snprintf(b->postcode, sizeof b->postcode, "%s", pc->code);
  size_t nl = 0;
  if (m->flat) {
    snprintf(b->line0, sizeof b->line0, "Flat %u", (unsigned)m->flat);
    b->lines[nl++] = b->line0;
  }
  snprintf(b->line1, sizeof b->line1, "%u %s %s", (unsigned)m->house, STREETS[pc->street],
           STREET_KINDS[pc->kind]);
  b->lines[nl++] = b->line1;
  b->addr.lines = b->lines;
  b->addr.n_lines = nl;
  b->addr.town = (char *)AREAS[pc->area][1];
  b->addr.postcode = b->postcode;
  b->p.ref = (char *)ref;
  b->p.given_name = b->given;
  b->p.family_name = b->family;
  b->p.date_of_birth = b->dob;
  b->p.sex = m->sex == PEOPLE_SEX_F ? MASH__V1__SEX__SEX_FEMALE : MASH__V1__SEX__SEX_MALE;
  b->p.address = &b->addr;
  if (m->flags & PEOPLE_F_NHS) {
    mash__v1__identifier__init(&b->id);
    b->id.kind = MASH__V1__IDENTIFIER_KIND__IDENTIFIER_KIND_NHS_NUMBER;
    snprintf(b->nhs, sizeof b->nhs, "%09u%d", m->nhs, s_nhs_check_digit(m->nhs));
    b->id.value = b->nhs;
    b->idp[0] = &b->id;
    b->p.identifiers = b->idp;
    b->p.n_identifiers = 1;
  }
}

const char *people_given_name(const people_person_t *m) {
  return m->sex == PEOPLE_SEX_F ? GIRLS[m->given % S_COUNT(GIRLS)] : BOYS[m->given % S_COUNT(BOYS)];
}

void people_nhs_text(uint32_t body, char out[16]) {
  snprintf(out, 16, "%09u%d", body, s_nhs_check_digit(body));
}

int32_t people_draw_dob(people_rng_t *r, int lo, int hi) {
  return s_draw_dob(r, lo, hi);
}

uint32_t people_draw_surname(const people_world_t *w, people_rng_t *r) {
  return s_draw_surname(w, r);
}

uint32_t people_next_nhs(people_world_t *w, uint32_t first_digit) {
  return s_next_nhs(w, first_digit);
}

void people_intake(mash_intake_t *in, mash_resolve_job_t *job, const char *principal,
                   const char *message_id, int64_t at_ms, const uint8_t *contact, size_t len) {
  memset(in, 0, sizeof *in);
  in->principal = principal;
  in->message_id = message_id;
  in->received_at_ms = at_ms;
  in->contact = contact;
  in->contact_len = len;
  in->concern_category = MASH__V1__CONCERN_CATEGORY__CONCERN_CATEGORY_NEGLECT;
  in->resolve_later = 1;
  memset(job, 0, sizeof *job);
  job->policy = mash_match_policy_default();
}
