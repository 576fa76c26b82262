"""Curated English ↔ French equivalents of the names and words news questions use.

Data, not code: one line per concept, ``english forms ; french forms`` (forms separated by
commas). A question word (or phrase) found on one side is also searched as every form of the
line, at a lower weight than the user's own words (``retrieval.expand``). Country, language and
city names come from CLDR through babel and need no line here; this table holds what CLDR does
not: leaders and officials whose names are spelt differently, institutions' acronyms, demonyms
CLDR lacks, and the frequent words of wire news.

Keep lines short and unambiguous: a form should mean the same thing in every news story (``talks``
yes; ``party`` no). ``tests/retrieval/test_expand.py`` checks the table's shape and some lines
end to end.
"""

NEWS_EQUIVALENTS = """
Putin ; Poutine
Ushakov ; Ouchakov
Zelensky, Zelenskyy, Zelenskiy, Zelenski ; Zelensky, Zelenski
Peskov ; Peskov
Lavrov ; Lavrov
Shoigu ; Choïgou
Medvedev ; Medvedev
Navalny ; Navalny
Erdogan ; Erdogan
Xi Jinping ; Xi Jinping
Netanyahu ; Netanyahou
Khamenei ; Khamenei
Kim Jong Un, Kim Jong-un ; Kim Jong Un
Lukashenko ; Loukachenko
Nazarbayev ; Nazarbaïev
Tokayev ; Tokaïev
Aliyev ; Aliev
Pashinyan ; Pachinian
Rouhani ; Rohani
Raisi ; Raïssi
Gaddafi ; Kadhafi
Bashar ; Bachar
Mohammed bin Salman ; Mohammed ben Salmane
Prigozhin ; Prigojine
Gorbachev ; Gorbatchev
Yeltsin ; Eltsine
Khodorkovsky ; Khodorkovski
Sergey, Sergei ; Sergueï
Dmitry ; Dmitri
Yuri, Yury ; Iouri
Alexei, Alexey ; Alexeï
Nikolai ; Nikolaï
Mikhail ; Mikhaïl
Islamic State, ISIS, ISIL ; État islamique, EI
Taliban ; talibans
Kuril Islands, Kurils ; Kouriles, îles Kouriles
Earth ; Terre
Eurasian Economic Union ; Union économique eurasiatique
Assad ; Assad
Sisi ; Sissi
Kyiv, Kiev ; Kiev
Kharkiv ; Kharkiv
Zaporizhzhia, Zaporizhia ; Zaporijjia
Odesa, Odessa ; Odessa
Donbas, Donbass ; Donbass
Crimea ; Crimée
Beijing ; Pékin
Jeddah ; Djeddah
Riyadh ; Riyad
Gaza ; Gaza
Ivory Coast ; Côte d'Ivoire
Kremlin ; Kremlin
South ; Sud
North ; Nord
West ; Ouest
Guangzhou ; Canton
EU, European Union ; UE, Union européenne
UN, United Nations ; ONU, Nations unies
NATO ; OTAN
IOC ; CIO
WHO, World Health Organization ; OMS, Organisation mondiale de la santé
ECB, European Central Bank ; BCE, Banque centrale européenne
Saudi, Saudis ; saoudien, saoudiens, saoudienne, saoudite
Croatian, Croatians ; croate, croates
Ukrainian, Ukrainians ; ukrainien, ukrainiens, ukrainienne
Russian, Russians ; russe, russes
Chinese ; chinois, chinoise
American, Americans ; américain, américains
Malian ; malien, maliens, malienne
Moroccan ; marocain
Ivorian ; ivoirien, ivoirienne
Swiss ; suisse, helvétique
French ; français, française, France
talks, negotiations ; négociations, pourparlers
truce ; trêve
ceasefire, cease-fire ; cessez-le-feu
peace ; paix
sanctions ; sanctions
war ; guerre
attack, attacks ; attaque, attaques
ambush ; embuscade
drone, drones ; drone, drones
missile, missiles ; missile, missiles
air defence, air defense ; défense antiaérienne, défense aérienne
troops, soldiers ; troupes, soldats, militaires
tanks ; chars
army ; armée
killed, dead, deaths ; tués, morts
wounded, injured ; blessés
death toll, toll ; bilan
hospital ; hôpital
earthquake, quake ; séisme, tremblement de terre
fire, blaze ; incendie
strike ; grève
trains, train ; trains, train
derailed ; déraillé, dérailler
election, vote ; élection, scrutin
turnout ; participation
by-election ; législative partielle, élection partielle
inflation ; inflation, renchérissement
prices ; prix
banks, bank ; banques, banque
profit, profits, earnings ; bénéfice, bénéfices
tax ; impôts, impôt, fisc, taxe
tax evaders, tax dodgers ; fraudeurs
debt ; dette
trade ; échanges, commerce
budget ; budget
president, chairman ; président
spokesman, spokeswoman, spokesperson ; porte-parole
government ; gouvernement
MPs, MP, lawmakers, legislators, parliamentarians ; députés, député, parlementaires
minister ; ministre
phone call, call ; entretien, conversation
refugees ; réfugiés
shadow fleet ; flotte fantôme
disarmament ; désarmement
Winter Olympics, Winter Games ; Jeux d'hiver, JO d'hiver
German, Germans ; allemand, allemands, allemande
British, Briton, Britons ; britannique, britanniques
Italian, Italians ; italien, italiens, italienne
Spanish, Spaniards ; espagnol, espagnols, espagnole
Israeli, Israelis ; israélien, israéliens, israélienne
Palestinian, Palestinians ; palestinien, palestiniens, palestinienne
Iranian, Iranians ; iranien, iraniens, iranienne
Syrian, Syrians ; syrien, syriens, syrienne
Turkish ; turc, turcs, turque
Afghan, Afghans ; afghan, afghans, afghane
Iraqi, Iraqis ; irakien, irakiens, irakienne
Polish ; polonais, polonaise
Dutch ; néerlandais, néerlandaise
Japanese ; japonais, japonaise
Egyptian, Egyptians ; égyptien, égyptiens, égyptienne
Scottish, Scots ; écossais, écossaise
Romanian, Romanians ; roumain, roumains, roumaine
Hungarian, Hungarians ; hongrois, hongroise
Filipino, Filipinos, Philippine ; philippin, philippins, philippine
Yemeni, Yemenis ; yéménite, yéménites
Libyan, Libyans ; libyen, libyens, libyenne
Haitian, Haitians ; haïtien, haïtiens, haïtienne
Berliner, Berliners ; berlinois, berlinoise
South China Sea ; mer de Chine méridionale
United States, U.S. ; États-Unis
White House ; Maison Blanche
Christmas ; Noël
Christmas market ; marché de Noël
people ; personnes, gens
children ; enfants
women ; femmes
babies ; bébés
births ; naissances
population ; population
bombing, bomb attack, terror attack ; attentat, attentats
bomb, bombs ; bombe, bombes
explosion, blast ; explosion
suicide bomber ; kamikaze
gunman, gunmen ; tireur, tireurs
victims ; victimes
police ; police, policiers
officers, police officers ; policiers, agents
raid, raids ; perquisition, perquisitions, raid, descente
arrested, detained ; arrêté, arrêtés, interpellé, interpellés
suspect, suspects ; suspect, suspects
court ; tribunal, cour
trial ; procès
judge ; juge
prosecutor, prosecutors ; procureur, parquet
prison, jail ; prison
sentence, sentenced ; peine, condamné
fine, fines ; amende, amendes
law ; loi
bill ; projet de loi
decree ; décret
parliament ; parlement
senate ; sénat
prime minister ; premier ministre
foreign minister ; ministre des affaires étrangères
foreign ministry ; ministère des affaires étrangères
ambassador ; ambassadeur
leader ; dirigeant, chef
campaign ; campagne
corruption ; corruption
protest, protests, demonstration ; manifestation, manifestations
protesters, demonstrators ; manifestants
resignation, resign ; démission, démissionner
referendum ; référendum
border ; frontière
migrants ; migrants
asylum ; asile
oil ; pétrole
gas ; gaz
imports ; importations
exports ; exportations
demand ; demande
growth ; croissance
unemployment ; chômage
jobs ; emplois
company, firm ; entreprise, société
shares ; actions
investment, investments ; investissement, investissements
losses, loss ; pertes, perte
revenue, sales ; chiffre d'affaires, ventes
dividend ; dividende
market ; marché
sea ; mer
flood, floods, flooding ; inondation, inondations, crue
storm ; tempête
snow ; neige
avalanche, avalanches ; avalanche, avalanches
drought ; sécheresse
hurricane ; ouragan
health ; santé
doctors ; médecins
disease ; maladie
vaccine ; vaccin
school, schools ; école, écoles
students ; étudiants, élèves
church ; église
cathedral ; cathédrale
museum ; musée
petition ; pétition
signatures ; signatures
test, trial run, pilot project ; essai, test
guns, pistols ; pistolets, armes
weapons ; armes
domestic violence ; violences domestiques, violences conjugales
assault ; agression
relative, relatives ; proche, proches
farmland, crops ; cultures, terres agricoles
pest ; ravageur
project, projects ; projet, projets
airport ; aéroport
status ; statut
economy ; économie
energy ; énergie
industry ; industrie
agreement, deal ; accord
security, safety ; sécurité
defence, defense ; défense
crisis ; crise
conflict ; conflit
nuclear ; nucléaire
military ; militaire, armée
agency ; agence
region ; région
billion, billions ; milliard, milliards
percent, per cent ; pour cent
amount ; montant
delegation ; délégation
joint ; commun, communs, commune
coal ; charbon
thermal ; thermique
oil products, petroleum products ; produits pétroliers
quantity, volume ; quantité
teenagers, teens ; adolescents, ados
first ; premier, première
stamps ; timbres
wolf ; loup
mascot ; mascotte
power plant, power station ; centrale
floating ; flottant, flottante
poisoning ; intoxication, empoisonnement
died ; décédé, décédés, sont morts
highway, highways, motorway ; autoroute, autoroutes
road, roads ; route, routes
railway, railways ; chemin de fer, ferroviaire
bridge ; pont
building ; bâtiment, immeuble
house, home ; maison, domicile
city, town ; ville
country ; pays
world ; monde, mondial
cost, costs ; coût, coûts, coûte
spend, spent, spending ; dépenses, dépensé
pay, paid ; payé, payer, versé
salary, wages ; salaire, salaires
rise, rose, increase, increased ; hausse, augmentation, augmenté
fall, fell, decline, drop ; baisse, recul, chute
meeting ; réunion, rencontre
summit ; sommet
visit ; visite
CEO, chief executive ; PDG, directeur général
candidate, candidates ; candidat, candidats
voters ; électeurs
poll, polls ; sondage, sondages
king ; roi
queen ; reine
pope ; pape
navy ; marine
fleet ; flotte
ship, ships, vessel, vessels ; navire, navires, bateau, bateaux
aircraft, plane, planes, airliner ; avion, avions, appareil
passenger, passengers ; passager, passagers
firefighters ; pompiers
rescuers, rescue ; sauveteurs, secours
missing ; disparus, disparu
hostage, hostages ; otage, otages
kidnapped, abducted ; enlevé, enlevés
murder, killing ; meurtre, assassinat
investigation, probe, inquiry ; enquête
lawyer, lawyers ; avocat, avocats
witness, witnesses ; témoin, témoins
evidence ; preuves
ban, banned ; interdiction, interdit, interdits
drugs, narcotics ; drogue, drogues, stupéfiants
doping ; dopage
team ; équipe
players ; joueurs
coach ; entraîneur
fans, supporters ; supporteurs, supporters
stadium ; stade
medal, medals ; médaille, médailles
tournament ; tournoi
scientists, researchers ; scientifiques, chercheurs
study ; étude
climate ; climat
emissions ; émissions
waste ; déchets
water ; eau
food ; nourriture, alimentaire
farmers ; agriculteurs
surgery ; chirurgie, opération
outbreak, epidemic ; épidémie
stock market, stock exchange ; bourse
central bank ; banque centrale
interest rate, interest rates ; taux d'intérêt
GDP ; PIB
factory ; usine
workers ; travailleurs, ouvriers, salariés
trade union, unions ; syndicat, syndicats
treaty, treaties ; traité, traités
embassy ; ambassade
diplomats ; diplomates
spy, spies, espionage ; espion, espions, espionnage
newspaper ; journal
journalist, journalists, reporters ; journaliste, journalistes
television, TV ; télévision
singer ; chanteur, chanteuse
award ; récompense
birthday ; anniversaire
twins ; jumeaux
wife ; épouse
husband ; mari
son ; fils
daughter ; fille
granddaughter ; petite-fille
mother ; mère
father ; père
boy, boys ; garçon, garçons
girl, girls ; fille, filles
weather ; météo
heatwave, heat wave ; canicule
island, islands ; île, îles
capital ; capitale
deadline ; date limite
appeal ; appel, recours
support ; soutien
warning ; avertissement, mise en garde
threat, threats ; menace, menaces
freedom ; liberté
human rights ; droits de l'homme, droits humains
wall ; mur
deported, deportation ; expulsé, expulsion
citizens ; citoyens
"""
