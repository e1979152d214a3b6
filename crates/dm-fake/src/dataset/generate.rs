//! Deterministic dataset generation from a seed and a size.

use serde_json::{Map, Value, json};

use super::texts::{MEDIA_TEMPLATES, SHARE_TEMPLATES, TEMPLATES};
use super::{ConvRec, EventRec, Kind, MULTI, MediaRec, NONE, Store, TweetRec, UserRec};
use crate::clock::{
    DAY_MS, DEFAULT_NOW_MS, SplitMix, TWITTER_EPOCH_MS, format_ms, mix, snowflake_floor,
};

/// What to generate.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DatasetConfig {
    /// Seed: same seed and size, same dataset.
    pub seed: u64,
    /// Number of events (0 to millions).
    pub events: usize,
    /// The fixed clock, Unix milliseconds (default 2026-11-01T00:00:00Z).
    pub now_ms: i64,
    /// Events are spread over this many days before `now_ms` (default 32: a few are older than
    /// the 30 days `GET /2/dm_events` returns, so the window is observable).
    pub history_days: u32,
}

impl Default for DatasetConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            events: 200,
            now_ms: DEFAULT_NOW_MS,
            history_days: 32,
        }
    }
}

impl DatasetConfig {
    /// A config with a seed and a number of events, defaults elsewhere.
    pub fn new(seed: u64, events: usize) -> Self {
        Self {
            seed,
            events,
            ..Self::default()
        }
    }
}

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Linus",
    "Zoë",
    "José",
    "Ingrid",
    "Kenji",
    "Aiko",
    "Olúwaseun",
    "Søren",
    "Mira",
    "Chen",
    "Fatima",
    "Łukasz",
    "Priya",
    "Noah",
    "Émilie",
    "Dmitri",
    "Amara",
    "Björn",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Okafor",
    "Müller",
    "García",
    "Tanaka",
    "Nguyen",
    "O'Brien",
    "Kowalski",
    "Singh",
    "Haddad",
    "Johansson",
    "Rossi",
    "Petrov",
    "Dubois",
    "Kim",
];
const BIO: &[&str] = &[
    "Building things with Rust 🦀 | opinions my own",
    "Coffee, climbing, compilers.",
    "Hosting integrations... @TwitterDev #DevRel",
    "“Make it work, make it right, make it fast.”",
    "",
    "Snow reports ❄️ and photos.\nDMs open.",
];
const PLACES: &[&str] = &[
    "Berlin",
    "São Paulo",
    "東京",
    "Lagos",
    "Montréal, QC",
    "",
    "Remote",
];

/// The ASCII letter a name's character is usually written as in a handle (`None`: dropped).
fn ascii_fold(c: char) -> Option<char> {
    if c.is_ascii_alphanumeric() {
        return Some(c);
    }
    let folded = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' | 'ń' => 'n',
        'Ñ' | 'Ń' => 'N',
        'ç' | 'ć' | 'č' => 'c',
        'Ç' | 'Ć' | 'Č' => 'C',
        'ł' => 'l',
        'Ł' => 'L',
        'ś' | 'š' | 'ß' => 's',
        'Ś' | 'Š' => 'S',
        'ż' | 'ź' | 'ž' => 'z',
        'Ż' | 'Ź' | 'Ž' => 'Z',
        _ => return None,
    };
    Some(folded)
}

/// A full user profile (every field the fake can render).
pub(crate) fn profile(id: u64, idx: usize, seed: u64) -> Map<String, Value> {
    let h = mix(seed ^ id);
    let first = FIRST
        .get((h % FIRST.len() as u64) as usize)
        .copied()
        .unwrap_or("Ada");
    let last = LAST
        .get(((h >> 8) % LAST.len() as u64) as usize)
        .copied()
        .unwrap_or("Kim");
    // Usernames are `^[A-Za-z0-9_]{1,15}$`: fold accents the way people do (Björn → Bjorn)
    // and keep the index, which makes them unique.
    let suffix = format!("_{idx}");
    let stem: String = format!("{first}{last}")
        .chars()
        .filter_map(ascii_fold)
        .take(15usize.saturating_sub(suffix.len()))
        .collect();
    let username = format!("{stem}{suffix}");
    let created = 1_230_000_000_000 + (h % 500_000_000_000) as i64;
    let verified_type = ["none", "blue", "business", "government"]
        .get(((h >> 16) % 4) as usize)
        .copied()
        .unwrap_or("none");
    let obj = json!({
        "id": id.to_string(),
        "name": format!("{first} {last}"),
        "username": username,
        "created_at": format_ms(created - created % 1000),
        "description": BIO.get(((h >> 20) % BIO.len() as u64) as usize).copied().unwrap_or(""),
        "location": PLACES.get(((h >> 24) % PLACES.len() as u64) as usize).copied().unwrap_or(""),
        "profile_image_url": format!("https://pbs.twimg.com/profile_images/{}/avatar_normal.jpg", h % 1_000_000_000),
        "profile_banner_url": format!("https://pbs.twimg.com/profile_banners/{id}/{}", h % 1_000_000),
        "protected": (h >> 28).is_multiple_of(10),
        "verified": verified_type != "none",
        "verified_type": verified_type,
        "receives_your_dm": !(h >> 32).is_multiple_of(5),
        "url": if (h >> 36).is_multiple_of(3) { "https://t.co/abcdEFGH12".to_owned() } else { String::new() },
        "public_metrics": {
            "followers_count": (h >> 40) % 100_000,
            "following_count": (h >> 44) % 5_000,
            "tweet_count": (h >> 20) % 50_000,
            "listed_count": (h >> 50) % 300,
            "like_count": (h >> 10) % 80_000,
        },
        "subscription_type": "None",
        "connection_status": if (h >> 5).is_multiple_of(2) { vec!["following", "followed_by"] } else { vec!["followed_by"] },
    });
    match obj {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn tweet(id: u64, author: &UserRec, available: bool, rng: &mut SplitMix) -> TweetRec {
    let text = super::texts::render(
        TEMPLATES,
        rng.below(TEMPLATES.len() as u64) as usize,
        id,
        "",
    );
    let created = crate::clock::snowflake_ms(id);
    let obj = json!({
        "id": id.to_string(),
        "text": text,
        "edit_history_tweet_ids": [id.to_string()],
        "author_id": author.id.to_string(),
        "created_at": format_ms(created),
        "conversation_id": id.to_string(),
        "lang": "en",
        "possibly_sensitive": false,
        "reply_settings": "everyone",
        "source": "Twitter Web App",
        "public_metrics": {
            "retweet_count": rng.below(500), "reply_count": rng.below(100), "like_count": rng.below(5000),
            "quote_count": rng.below(50), "bookmark_count": rng.below(40), "impression_count": rng.below(100_000)
        },
    });
    TweetRec {
        id,
        available,
        object: if let Value::Object(m) = obj {
            m
        } else {
            Map::new()
        },
    }
}

fn user_id(rng: &mut SplitMix, i: usize) -> u64 {
    // Mix short (2010-era) and long (snowflake) ids so numeric and string order differ.
    if i.is_multiple_of(2) {
        100_000_000 + rng.below(3_000_000_000)
    } else {
        700_000_000_000_000_000 + rng.below(900_000_000_000_000_000)
    }
}

/// Generates a dataset.
pub(crate) fn generate(cfg: &DatasetConfig) -> Store {
    let mut rng = SplitMix::new(cfg.seed);
    let mut s = Store::empty(cfg.now_ms);
    let n = cfg.events;
    let n_users = 12 + (n / 500).min(188);
    for i in 0..n_users {
        let mut id = user_id(&mut rng, i);
        while s.user_by_id.contains_key(&id) {
            id += 1;
        }
        let idx = s.users.len() as u32;
        s.users.push(UserRec {
            id,
            profile: profile(id, i, cfg.seed),
        });
        s.user_by_id.insert(id, idx);
    }
    s.me = 0;
    let start = cfg.now_ms - i64::from(cfg.history_days) * DAY_MS;
    // Posts that DMs can share; ~15% are unavailable (deleted or protected).
    let n_tweets = 30 + (n / 1000).min(970);
    for i in 0..n_tweets {
        let ms = start - (rng.below(300) as i64) * DAY_MS / 10 - i as i64;
        let id = snowflake_floor(ms) | rng.below(1 << 22);
        let author = s.users.get(rng.below(n_users as u64) as usize).cloned();
        if let Some(author) = author {
            let available = !rng.chance(15);
            let t = tweet(id, &author, available, &mut rng);
            s.tweet_by_id.insert(id, s.tweets.len() as u32);
            s.tweets.push(t);
        }
    }
    // 1-1 conversations with every other user, plus groups.
    for u in 1..n_users as u32 {
        s.one_to_one_or_create(u);
    }
    let n_groups = 2 + n_users / 4;
    let mut pending_groups = Vec::new();
    for g in 0..n_groups {
        let size = 3 + rng.below(6) as usize;
        let mut members = vec![s.me];
        while members.len() < size.min(n_users) {
            let u = rng.below(n_users as u64) as u32;
            if !members.contains(&u) {
                members.push(u);
            }
        }
        let ms = start + (g as i64) * 1000;
        let id = (snowflake_floor(ms) | rng.below(1 << 22)).to_string();
        pending_groups.push((id, members));
    }
    let first_group = s.convs.len();
    for (id, _) in &pending_groups {
        let idx = s.convs.len() as u32;
        s.convs.push(ConvRec {
            id: id.clone(),
            group: true,
            members: Vec::new(),
            events: Vec::new(),
        });
        s.conv_by_id.insert(id.clone(), idx);
    }
    let n_convs = s.convs.len();
    let span = (cfg.now_ms - start).max(1) as u64;
    let mut last_id = 0u64;
    for i in 0..n {
        let ms = start
            + ((i as u64).saturating_mul(span) / (n as u64).max(1)) as i64
            + rng.below(1000) as i64;
        let mut id = snowflake_floor(ms.min(cfg.now_ms - 1)) | rng.below(1 << 20);
        if id <= last_id {
            id = last_id + 1;
        }
        last_id = id;
        // Busy conversations: a skewed pick.
        let r = rng.below(n_convs as u64 * n_convs as u64);
        let c = (n_convs - 1 - (r as f64).sqrt() as usize).min(n_convs - 1);
        let mut e = EventRec {
            id,
            conv: c as u32,
            sender: NONE,
            text: NONE,
            people: NONE,
            media: NONE,
            tweet: NONE,
            kind: Kind::Message,
            deleted: false,
        };
        let is_group = c >= first_group;
        if is_group && s.convs.get(c).is_some_and(|cv| cv.members.is_empty()) {
            // Group creation: the creator invites everybody else.
            let members = pending_groups
                .get(c - first_group)
                .map(|p| p.1.clone())
                .unwrap_or_default();
            let creator = members
                .get(rng.below(members.len() as u64) as usize)
                .copied()
                .unwrap_or(s.me);
            let invited: Vec<u32> = members.iter().copied().filter(|m| *m != creator).collect();
            e.kind = Kind::Join;
            e.sender = creator;
            e.people = MULTI | s.people.len() as u32;
            s.people.push(invited);
            if let Some(cv) = s.convs.get_mut(c) {
                cv.members = members;
            }
        } else if is_group && rng.chance(4) {
            let joiner = rng.below(n_users as u64) as u32;
            let members = s
                .convs
                .get(c)
                .map(|cv| cv.members.clone())
                .unwrap_or_default();
            if members.contains(&joiner) {
                e.kind = Kind::Message;
            } else {
                e.kind = Kind::Join;
                e.sender = members
                    .get(rng.below(members.len() as u64) as usize)
                    .copied()
                    .unwrap_or(s.me);
                e.people = joiner;
                if let Some(cv) = s.convs.get_mut(c) {
                    cv.members.push(joiner);
                }
            }
        } else if is_group && rng.chance(3) && s.convs.get(c).is_some_and(|cv| cv.members.len() > 3)
        {
            let members = s
                .convs
                .get(c)
                .map(|cv| cv.members.clone())
                .unwrap_or_default();
            let leaver = members
                .get(1 + rng.below(members.len() as u64 - 1) as usize)
                .copied()
                .unwrap_or(NONE);
            if leaver != s.me && leaver != NONE {
                e.kind = Kind::Leave;
                e.people = leaver;
                if let Some(cv) = s.convs.get_mut(c) {
                    cv.members.retain(|m| *m != leaver);
                }
            }
        }
        if e.kind == Kind::Message {
            let members = s
                .convs
                .get(c)
                .map(|cv| cv.members.clone())
                .unwrap_or_default();
            e.sender = members
                .get(rng.below(members.len() as u64) as usize)
                .copied()
                .unwrap_or(s.me);
            let roll = rng.below(100);
            if roll < 10 {
                let media_id = id.saturating_sub(1 << 22 | rng.below(1 << 20));
                let kind = [0u8, 0, 0, 1, 2]
                    .get(rng.below(5) as usize)
                    .copied()
                    .unwrap_or(0);
                e.media = s.media.len() as u32;
                s.media.push(MediaRec {
                    media_id,
                    kind,
                    width: [1200u16, 1920, 640, 1080]
                        .get(rng.below(4) as usize)
                        .copied()
                        .unwrap_or(640),
                    height: [675u16, 1080, 480, 1350]
                        .get(rng.below(4) as usize)
                        .copied()
                        .unwrap_or(480),
                    duration_ms: if kind == 1 {
                        1000 + rng.below(120_000) as u32
                    } else {
                        0
                    },
                    raw: None,
                });
                e.text = rng.below(MEDIA_TEMPLATES.len() as u64) as u32 | (1 << 24);
            } else if roll < 18 && !s.tweets.is_empty() {
                e.tweet = rng.below(s.tweets.len() as u64) as u32;
                e.text = rng.below(SHARE_TEMPLATES.len() as u64) as u32 | (2 << 24);
            } else {
                e.text = rng.below(TEMPLATES.len() as u64) as u32;
            }
        }
        s.push_event(e);
    }
    let _ = TWITTER_EPOCH_MS;
    s
}
