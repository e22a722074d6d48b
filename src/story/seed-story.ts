/**
 * The story storygraph ships with: Xi Jinping and Vladimir Putin expected to meet at the SCO summit
 * in Samarkand in September 2022, as reported on 7 September 2022. Facts only, in our own words.
 */
import type {
  DatePrecision,
  OrganizationKind,
  ParticipationStatus,
  SummitStatus,
} from '../generated/prisma/enums.ts';

export interface SeedLeader {
  slug: string;
  name: string;
  aliases: string[];
  title: string;
  country: string;
  description: string;
}

export interface SeedOrganization {
  slug: string;
  name: string;
  acronym: string | null;
  kind: OrganizationKind;
  description: string;
  memberStates: string[];
  /** Names to look for in article text, besides the name and acronym. */
  alsoKnownAs?: string[];
}

export interface SeedSummit {
  slug: string;
  name: string;
  organizer: string | null;
  city: string;
  country: string;
  startsOn: string;
  startsOnPrecision: DatePrecision;
  endsOn: string | null;
  endsOnPrecision: DatePrecision | null;
  status: SummitStatus;
  description: string;
  /** Names to look for in article text. */
  alsoKnownAs: string[];
}

export interface SeedMembership {
  leader: string;
  organization: string;
  role: string;
  startedOn: string | null;
  startedOnPrecision: DatePrecision | null;
}

export interface SeedParticipation {
  leader: string;
  summit: string;
  status: ParticipationStatus;
  note: string;
}

export interface SeedArticle {
  slug: string;
  headline: string;
  summary: string;
  body: string;
  source: string;
  url: string | null;
  publishedAt: string;
  /** Slugs of what the article is about; spans are found in the body by name. */
  leaders: string[];
  organizations: string[];
  summits: string[];
}

export const leaders: SeedLeader[] = [
  {
    slug: 'xi-jinping',
    name: 'Xi Jinping',
    aliases: ['Xi', 'President Xi'],
    title: 'President of China and General Secretary of the Chinese Communist Party',
    country: 'China',
    description:
      "China's paramount leader since 2012. A trip to Central Asia for the SCO summit would be his first journey abroad since the early weeks of the Covid-19 pandemic.",
  },
  {
    slug: 'vladimir-putin',
    name: 'Vladimir Putin',
    aliases: ['Putin', 'President Putin'],
    title: 'President of Russia',
    country: 'Russia',
    description:
      "Russia's president, whose government began the invasion of Ukraine in February 2022 and has drawn closer to Beijing since.",
  },
  {
    slug: 'li-zhanshu',
    name: 'Li Zhanshu',
    aliases: ['Li'],
    title: "Chairman of the Standing Committee of China's National People's Congress",
    country: 'China',
    description:
      "Ranked third in China's leadership. His September 2022 trip to Vladivostok made him the most senior Chinese official to go abroad since the pandemic began.",
  },
];

const SCO_MEMBERS = [
  'China',
  'India',
  'Kazakhstan',
  'Kyrgyzstan',
  'Pakistan',
  'Russia',
  'Tajikistan',
  'Uzbekistan',
];

// NATO's thirty members in September 2022, before Finland and Sweden joined.
const NATO_MEMBERS = [
  'Albania',
  'Belgium',
  'Bulgaria',
  'Canada',
  'Croatia',
  'Czech Republic',
  'Denmark',
  'Estonia',
  'France',
  'Germany',
  'Greece',
  'Hungary',
  'Iceland',
  'Italy',
  'Latvia',
  'Lithuania',
  'Luxembourg',
  'Montenegro',
  'Netherlands',
  'North Macedonia',
  'Norway',
  'Poland',
  'Portugal',
  'Romania',
  'Slovakia',
  'Slovenia',
  'Spain',
  'Turkey',
  'United Kingdom',
  'United States',
];

export const organizations: SeedOrganization[] = [
  {
    slug: 'shanghai-cooperation-organization',
    name: 'Shanghai Cooperation Organization',
    acronym: 'SCO',
    kind: 'INTERGOVERNMENTAL',
    description:
      'A Eurasian security and economic grouping. Its 2022 summit takes place in Samarkand, Uzbekistan.',
    memberStates: SCO_MEMBERS,
  },
  {
    slug: 'ccp-politburo-standing-committee',
    name: 'Politburo Standing Committee of the Chinese Communist Party',
    acronym: 'PSC',
    kind: 'PARTY_BODY',
    description:
      "The small circle at the top of China's ruling party, where power is concentrated.",
    memberStates: [],
    alsoKnownAs: ['Politburo Standing Committee'],
  },
  {
    slug: 'chinese-communist-party',
    name: 'Chinese Communist Party',
    acronym: 'CCP',
    kind: 'PARTY_BODY',
    description: "China's ruling party. Its national congress meets in Beijing in October 2022.",
    memberStates: [],
    alsoKnownAs: ['Communist Party'],
  },
  {
    slug: 'nato',
    name: 'North Atlantic Treaty Organization',
    acronym: 'NATO',
    kind: 'ALLIANCE',
    description:
      'The Western military alliance, which Beijing has blamed, together with Washington, for the war in Ukraine.',
    memberStates: NATO_MEMBERS,
  },
  {
    slug: 'belt-and-road-initiative',
    name: 'Belt and Road Initiative',
    acronym: 'BRI',
    kind: 'INITIATIVE',
    description:
      "China's global infrastructure and trade programme, which Xi Jinping announced on a visit to Kazakhstan in 2013.",
    memberStates: [],
  },
];

export const summits: SeedSummit[] = [
  {
    slug: 'sco-summit-samarkand-2022',
    name: 'SCO Summit 2022',
    organizer: 'shanghai-cooperation-organization',
    city: 'Samarkand',
    country: 'Uzbekistan',
    startsOn: '2022-09-15',
    startsOnPrecision: 'DAY',
    endsOn: null,
    endsOnPrecision: null,
    status: 'ANNOUNCED',
    description:
      'The annual meeting of SCO heads of state, where Xi Jinping and Vladimir Putin are expected to hold their first face-to-face talks since Russia invaded Ukraine.',
    alsoKnownAs: ['SCO summit', 'summit of the Shanghai Cooperation Organization'],
  },
  {
    slug: 'eastern-economic-forum-2022',
    name: 'Eastern Economic Forum 2022',
    organizer: null,
    city: 'Vladivostok',
    country: 'Russia',
    startsOn: '2022-09-05',
    startsOnPrecision: 'DAY',
    endsOn: '2022-09-08',
    endsOnPrecision: 'DAY',
    status: 'IN_PROGRESS',
    description:
      "Russia's yearly investment forum for its Far East, attended in 2022 by Li Zhanshu of China.",
    alsoKnownAs: ['Eastern Economic Forum'],
  },
  {
    slug: 'ccp-national-congress-2022',
    name: '20th National Congress of the Chinese Communist Party',
    organizer: 'chinese-communist-party',
    city: 'Beijing',
    country: 'China',
    startsOn: '2022-10-01',
    startsOnPrecision: 'MONTH',
    endsOn: null,
    endsOnPrecision: null,
    status: 'EXPECTED',
    description:
      'The party gathering, weeks after the SCO summit, at which Xi Jinping is widely expected to break with precedent and take a third term.',
    alsoKnownAs: ['party congress'],
  },
];

export const memberships: SeedMembership[] = [
  {
    leader: 'xi-jinping',
    organization: 'ccp-politburo-standing-committee',
    role: 'General Secretary; first-ranked member',
    startedOn: '2012-11-15',
    startedOnPrecision: 'DAY',
  },
  {
    leader: 'li-zhanshu',
    organization: 'ccp-politburo-standing-committee',
    role: "Member; China's number three leader",
    startedOn: '2017-10-25',
    startedOnPrecision: 'DAY',
  },
  {
    leader: 'xi-jinping',
    organization: 'shanghai-cooperation-organization',
    role: 'Head of state of a member country',
    startedOn: '2013-03-14',
    startedOnPrecision: 'DAY',
  },
  {
    leader: 'vladimir-putin',
    organization: 'shanghai-cooperation-organization',
    role: 'Head of state of a member country',
    startedOn: '2012-05-07',
    startedOnPrecision: 'DAY',
  },
];

export const participations: SeedParticipation[] = [
  {
    leader: 'xi-jinping',
    summit: 'sco-summit-samarkand-2022',
    status: 'EXPECTED',
    note: 'Reported by Russian state media as planning to meet Vladimir Putin there.',
  },
  {
    leader: 'vladimir-putin',
    summit: 'sco-summit-samarkand-2022',
    status: 'EXPECTED',
    note: 'Reported by Russian state media as planning to meet Xi Jinping there.',
  },
  {
    leader: 'li-zhanshu',
    summit: 'eastern-economic-forum-2022',
    status: 'ATTENDED',
    note: 'Arrived in Vladivostok on 7 September 2022.',
  },
  {
    leader: 'vladimir-putin',
    summit: 'eastern-economic-forum-2022',
    status: 'CONFIRMED',
    note: 'The host; TASS said he was due to meet Li Zhanshu on 7 September.',
  },
  {
    leader: 'xi-jinping',
    summit: 'ccp-national-congress-2022',
    status: 'EXPECTED',
    note: 'Expected to secure a third term as party leader.',
  },
];

export const articles: SeedArticle[] = [
  {
    slug: 'xi-and-putin-to-meet-at-sco-summit',
    headline: 'Xi and Putin set to meet at SCO summit in Samarkand, Russian state media says',
    summary:
      'Russian state media say Xi Jinping and Vladimir Putin will meet next week at the summit of the Shanghai Cooperation Organization in Uzbekistan: their first talks in person since Russia invaded Ukraine, and the first trip abroad for Xi since the pandemic began.',
    body: [
      'Chinese leader Xi Jinping and Russian President Vladimir Putin plan to meet next week at the SCO summit in Samarkand, Uzbekistan, according to Russian state media. The talks would be their first in person since Russia began its invasion of Ukraine this year.',
      "The journey would also be the first outside China for Xi since the opening weeks of the coronavirus pandemic. Beijing's strict zero-Covid policy has kept its senior officials close to home for more than two years.",
      "On Wednesday Li Zhanshu, who sits on the Politburo Standing Committee of the Communist Party and ranks third in China's leadership, landed in Vladivostok for the Eastern Economic Forum, the most senior Chinese official to travel abroad in that time. TASS reported that Li was due to meet Putin the same day.",
      'The planned meeting, and the choice of Central Asia for the first trip, show how much Beijing values its ties with Moscow despite the backlash against the war. The two capitals have drawn together as each faces friction with the West; weeks before the invasion, Xi and Putin declared a partnership without limits. China has not condemned the attack and has instead pointed at NATO and the United States.',
      "A visit to the region would also recall how Xi raised China's profile abroad during his decade in charge: he unveiled the Belt and Road Initiative on a trip to Kazakhstan in 2013.",
      'The trip comes weeks before the party congress in Beijing, which is expected to hand Xi a third term, against precedent, and confirm him as the strongest Chinese leader in decades.',
      'The SCO summit opens on 15 September in Samarkand. The Shanghai Cooperation Organization counts China, India, Kazakhstan, Kyrgyzstan, Pakistan, Russia, Tajikistan and Uzbekistan as members.',
    ].join('\n\n'),
    source: 'Wire report citing Russian state media (TASS)',
    url: null,
    publishedAt: '2022-09-07T00:00:00.000Z',
    leaders: ['xi-jinping', 'vladimir-putin', 'li-zhanshu'],
    organizations: [
      'shanghai-cooperation-organization',
      'ccp-politburo-standing-committee',
      'chinese-communist-party',
      'nato',
      'belt-and-road-initiative',
    ],
    summits: [
      'sco-summit-samarkand-2022',
      'eastern-economic-forum-2022',
      'ccp-national-congress-2022',
    ],
  },
];
