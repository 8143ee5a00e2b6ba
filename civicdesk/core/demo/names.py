"""Names for the invented borough's residents, streets and wards.

The lists are our own and mix the backgrounds found in an English borough today, so search is
tested on names agents really hear: Irish, Scottish and Welsh, South Asian, Polish and Romanian,
Caribbean, Nigerian and Ghanaian, Chinese, Somali, Turkish and others. Some pairs that are easily
confused over the phone (Smith and Smyth, John and Jon, Mohammed and Muhammad) are there on
purpose. Each group is (weight, female forenames, male forenames, surnames).
"""

NAME_GROUPS: list[tuple[int, list[str], list[str], list[str]]] = [
    (
        56,  # English, Scottish and Welsh
        [
            "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Ella",
            "Jessica", "Charlotte", "Lucy", "Hannah", "Sarah", "Emma", "Laura", "Rebecca",
            "Catherine", "Katherine", "Kathryn", "Claire", "Clare", "Rachel", "Helen", "Susan",
            "Margaret", "Elizabeth", "Patricia", "Janet", "Jean", "Joan", "Pauline", "Julie",
            "Karen", "Tracey", "Tracy", "Nicola", "Joanne", "Gemma", "Kirsty", "Megan", "Rhian",
            "Carys", "Eleanor", "Alice", "Florence", "Poppy", "Freya", "Evie", "Jane", "Ann",
            "Anne", "Dorothy", "Sheila", "Linda", "Lorraine", "Stephanie", "Zoe", "Abigail",
        ],
        [
            "Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas", "William",
            "James", "John", "Jon", "Jonathan", "David", "Michael", "Christopher", "Paul",
            "Mark", "Andrew", "Stephen", "Steven", "Peter", "Richard", "Robert", "Daniel",
            "Matthew", "Simon", "Ian", "Gary", "Lee", "Craig", "Darren", "Wayne", "Kevin",
            "Alan", "Brian", "Keith", "Graham", "Colin", "Trevor", "Philip", "Phillip", "Neil",
            "Stuart", "Stewart", "Gareth", "Rhys", "Dylan", "Owen", "Alfie", "Freddie", "Noah",
            "Leo", "Archie", "Henry", "Edward", "Samuel", "Joseph", "Benjamin", "Callum",
        ],
        [
            "Smith", "Smyth", "Smythe", "Jones", "Williams", "Taylor", "Brown", "Browne",
            "Davies", "Davis", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson",
            "Thompson", "Thomson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green",
            "Greene", "Hall", "Lewis", "Harris", "Clarke", "Clark", "Patel", "Jackson", "Wood",
            "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clarkson", "King",
            "Watson", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips",
            "Philips", "Watts", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell",
            "Kelly", "Cook", "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw",
            "Murphy", "Miller", "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson",
            "Ellis", "Adams", "Wilkinson", "Foster", "Chapman", "Mason", "Webb", "Rogers",
            "Gray", "Grey", "Hunt", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
            "Butler", "Russell", "Barker", "Fisher", "Stevens", "Stephens", "Jenkins", "Dixon",
            "Fletcher", "Howard", "Pearson", "Hudson", "Fraser", "MacDonald", "McDonald",
            "Campbell", "Stewart", "Robertson", "Reid", "Ross", "Hamilton", "Graham", "Duncan",
            "Pritchard", "Owen", "Powell", "Vaughan", "Llewellyn", "Ashworth", "Hargreaves",
            "Sutcliffe", "Whitehead", "Fairbrother", "Pemberton", "Openshaw",
        ],
    ),
    (
        6,  # Irish
        [
            "Siobhan", "Aoife", "Niamh", "Ciara", "Sinead", "Roisin", "Mairead", "Orla",
            "Bridget", "Mary", "Maeve", "Deirdre",
        ],
        [
            "Sean", "Shaun", "Ciaran", "Declan", "Padraig", "Patrick", "Eoin", "Liam",
            "Cormac", "Niall", "Brendan", "Fergal",
        ],
        [
            "O'Brien", "O'Neill", "O'Sullivan", "O'Connor", "Murphy", "Byrne", "Ryan",
            "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Quinn", "Brennan",
            "Fitzgerald", "Donnelly", "McLaughlin", "Keane", "Nolan", "Duffy",
        ],
    ),
    (
        12,  # South Asian
        [
            "Priya", "Anjali", "Sunita", "Harpreet", "Gurpreet", "Manpreet", "Simran", "Aisha",
            "Ayesha", "Fatima", "Zainab", "Nusrat", "Shabana", "Farzana", "Rukhsana",
            "Nadia", "Amina", "Sana", "Kiran", "Asha", "Meera", "Pooja", "Deepa", "Nasreen",
        ],
        [
            "Mohammed", "Muhammad", "Mohammad", "Mohamed", "Ahmed", "Ali", "Imran", "Tariq",
            "Asif", "Bilal", "Hamza", "Zain", "Rajesh", "Sanjay", "Vikram", "Arjun", "Rohan",
            "Amit", "Sunil", "Harjit", "Gurdeep", "Jaspal", "Rahul", "Abdul", "Shahid",
        ],
        [
            "Patel", "Khan", "Ahmed", "Ahmad", "Ali", "Hussain", "Hussein", "Begum", "Akhtar",
            "Iqbal", "Rahman", "Mahmood", "Shah", "Malik", "Chaudhry", "Choudhury", "Bibi",
            "Singh", "Kaur", "Sandhu", "Gill", "Sidhu", "Bains", "Dhillon", "Sharma",
            "Gupta", "Kumar", "Mistry", "Chauhan", "Parmar", "Solanki", "Desai", "Joshi",
            "Rana", "Islam", "Uddin", "Miah", "Chowdhury", "Hossain", "Sultana",
        ],
    ),
    (
        5,  # Polish and Romanian
        [
            "Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Anna", "Marta", "Ewa",
            "Małgorzata", "Zofia", "Ioana", "Andreea", "Elena", "Alexandra",
        ],
        [
            "Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Łukasz", "Jakub",
            "Andrzej", "Mateusz", "Ionut", "Andrei", "Mihai", "Gabriel",
        ],
        [
            "Kowalski", "Kowalska", "Nowak", "Wiśniewski", "Wiśniewska", "Wójcik",
            "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski",
            "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Popescu", "Ionescu", "Popa",
            "Dumitru", "Stan", "Constantin",
        ],
    ),
    (
        6,  # Caribbean, Nigerian and Ghanaian
        [
            "Marcia", "Beverley", "Sonia", "Jacqueline", "Yvonne", "Shanice", "Chantelle",
            "Adaeze", "Chioma", "Ngozi", "Folake", "Funmilayo", "Oluwaseun", "Temitope",
            "Blessing", "Precious", "Abena", "Akosua", "Efua",
        ],
        [
            "Winston", "Delroy", "Errol", "Clive", "Leroy", "Marlon", "Tyrone", "Jermaine",
            "Chukwuemeka", "Emeka", "Oluwadamilare", "Tunde", "Babatunde", "Adebayo",
            "Chinedu", "Ifeanyi", "Kwame", "Kofi", "Kwabena", "Yaw",
        ],
        [
            "Campbell", "Francis", "Grant", "Brown", "Reid", "Henry", "Gordon", "Williams",
            "Bailey", "Lewis", "Clarke", "Okafor", "Okonkwo", "Adeyemi", "Adebayo", "Okeke",
            "Eze", "Nwosu", "Oladipo", "Balogun", "Ogunleye", "Adewale", "Mensah", "Boateng",
            "Owusu", "Asante", "Osei", "Appiah", "Agyeman",
        ],
    ),
    (
        3,  # Chinese and Vietnamese
        [
            "Mei", "Li", "Xiaoling", "Yan", "Jing", "Hui", "Ying", "Lan", "Thi", "Linh",
        ],
        [
            "Wei", "Jian", "Hao", "Ming", "Jun", "Kai", "Chen", "Tuan", "Minh", "Duc",
        ],
        [
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou",
            "Chan", "Wong", "Cheung", "Lam", "Ng", "Nguyen", "Tran", "Pham",
        ],
    ),
    (
        3,  # Somali, Turkish, Kurdish and Arabic
        [
            "Hodan", "Fadumo", "Ayaan", "Hawa", "Elif", "Zeynep", "Ayşe", "Leyla", "Mariam",
            "Noor",
        ],
        [
            "Abdi", "Abdullahi", "Hassan", "Omar", "Yusuf", "Mehmet", "Mustafa", "Emre",
            "Karwan", "Khalid", "Youssef",
        ],
        [
            "Mohamed", "Abdi", "Hassan", "Ahmed", "Warsame", "Farah", "Jama", "Yilmaz",
            "Kaya", "Demir", "Şahin", "Öztürk", "Aziz", "Haddad", "Mansour", "Rashid",
        ],
    ),
    (
        3,  # Italian, Portuguese, Greek and others long settled
        [
            "Giulia", "Francesca", "Maria", "Ana", "Sofia", "Eleni", "Katerina",
        ],
        [
            "Giuseppe", "Marco", "João", "Pedro", "Nikos", "Georgios", "Andreas",
        ],
        [
            "Rossi", "Russo", "Esposito", "Bianchi", "Ferrari", "Romano", "Silva", "Santos",
            "Ferreira", "Pereira", "Costa", "Papadopoulos", "Georgiou", "Christodoulou",
        ],
    ),
]  # fmt: skip

TITLES_FEMALE = ["Ms", "Mrs", "Miss", "Ms", "Mrs", "Dr"]
TITLES_MALE = ["Mr", "Mr", "Mr", "Mr", "Dr"]

INTERPRETER_LANGUAGES = [
    "Polish", "Urdu", "Punjabi", "Bengali", "Gujarati", "Arabic", "Romanian", "Somali",
    "Cantonese", "Mandarin", "Portuguese", "Turkish", "Kurdish", "Tigrinya", "Farsi",
]  # fmt: skip

OTHER_NEEDS = [
    "Hard of hearing: speak clearly and face them",
    "Prefers a call-back from a female officer",
    "Dyslexic: explain letters by phone",
    "Partially sighted: read out any reference numbers slowly",
    "Has a carer present for calls",
    "Uses a wheelchair: ground-floor interview room",
]

WARD_NAMES = [
    "Kingsmere Central", "Ashby Fields", "Holloway Green", "Millbrook", "St Anne's",
    "Thornfield", "Castle Hill", "Riverside", "Elmstead", "Harrowvale", "Brackenbury",
    "Upper Wensley",
]  # fmt: skip

STREET_STEMS = [
    "Victoria", "Albert", "Station", "Church", "Mill", "Park", "Queen's", "King's", "High",
    "Manor", "Grange", "Oak", "Elm", "Ash", "Beech", "Birch", "Cedar", "Chestnut", "Willow",
    "Hawthorn", "Holly", "Laurel", "Maple", "Poplar", "Rowan", "Sycamore", "Yew", "Alder",
    "Meadow", "Orchard", "Brook", "River", "Bridge", "Canal", "Wharf", "Quarry", "Forge",
    "Foundry", "Tannery", "Ropewalk", "Chapel", "Abbey", "Priory", "Vicarage", "Rectory",
    "School", "College", "Market", "Castle", "Tower", "Windmill", "Cornfield", "Barley",
    "Clover", "Heather", "Primrose", "Bluebell", "Foxglove", "Lavender", "Rosemary",
    "Nelson", "Wellington", "Gladstone", "Disraeli", "Peel", "Palmerston", "Trafalgar",
    "Waterloo", "Balaclava", "Coronation", "Jubilee", "Sovereign", "Regent", "Belgrave",
    "Cavendish", "Grosvenor", "Clarendon", "Devonshire", "Stanley", "Cromwell", "Milton",
    "Shakespeare", "Chaucer", "Wordsworth", "Tennyson", "Byron", "Keats", "Shelley",
    "Brontë", "Dickens", "Austen", "Elgar", "Purcell", "Turner", "Constable", "Gainsborough",
    "Fleming", "Darwin", "Newton", "Faraday", "Brunel", "Stephenson", "Telford", "Wesley",
    "Kingsmere", "Ashby", "Holloway", "Millbrook", "Thornfield", "Elmstead", "Wensley",
    "Brackenbury", "Harrow", "Fairfield", "Greenhill", "Redhill", "Longmead", "Southfield",
    "Northgate", "Westgate", "Eastfield", "Highfield", "Lowther", "Ridgeway", "Hillside",
    "Springfield", "Woodland", "Fernhill", "Larkspur", "Kestrel", "Heron", "Kingfisher",
    "Swallow", "Skylark", "Wren", "Linnet", "Curlew", "Plover",
]  # fmt: skip

STREET_SUFFIXES = [
    "Road", "Road", "Road", "Street", "Street", "Lane", "Avenue", "Close", "Close",
    "Crescent", "Drive", "Way", "Grove", "Gardens", "Terrace", "Place", "Walk", "Rise",
    "Court", "Mews", "View", "Row", "Hill", "Green",
]  # fmt: skip

HOUSE_NAMES = [
    "Rose Cottage", "The Old Forge", "The Old Rectory", "Ivy Cottage", "Orchard House",
    "The Laurels", "Fairview", "Hillcrest", "Sunnyside", "The Willows", "Beech House",
    "Meadow View", "Woodlands", "The Coach House", "Brookside", "Greystones", "Holly Lodge",
    "The Old School House", "Mill House", "Primrose Cottage", "Tanglewood", "Highbank",
    "Rowan Lodge", "The Granary",
]  # fmt: skip

BLOCK_NAMES = [
    "Court", "House", "Lodge", "Heights", "Point", "Mansions", "Tower", "Place",
]  # fmt: skip
