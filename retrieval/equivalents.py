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
prosecute, prosecuted ; poursuivre, poursuivi, poursuivis, poursuivie
charged, indicted ; inculpé, inculpée, inculpés, mis en examen, mise en examen
perpetrator, perpetrators ; auteur, auteurs, auteurs des faits
bribe, bribes, kickbacks ; pot-de-vin, pots-de-vin, dessous-de-table
convicted, found guilty ; reconnu coupable, reconnue coupable, reconnus coupables, jugé coupable
acquitted, acquittal ; acquitté, acquittée, acquittés, acquittement, relaxé, relaxe
anti-graft ; anticorruption, anti-corruption, lutte contre la corruption
embezzlement ; détournement de fonds, détournements de fonds, malversations
fraud ; fraude, fraudes
scam, scams, swindle ; arnaque, arnaques, escroquerie, escroqueries
money laundering ; blanchiment d'argent, blanchiment
tax evasion, tax fraud ; évasion fiscale, fraude fiscale
drug trafficking ; trafic de drogue, trafic de stupéfiants
human trafficking ; traite des êtres humains
smugglers, people smugglers ; passeurs, contrebandiers
smuggling ; contrebande
organised crime, organized crime ; crime organisé
armed robbery, robbery, robberies ; braquage, braquages, vol à main armée
burglary, burglaries ; cambriolage, cambriolages
stolen ; volé, volés, volée, dérobé
rape, raped ; viol, viols, violé, violée
sexual assault ; agression sexuelle, agressions sexuelles
sexual abuse ; abus sexuels, violences sexuelles
harassment ; harcèlement
murdered, assassinated ; assassiné, assassinée, assassinés
killer, murderer ; tueur, tueuse, assassin
deadly, deadliest ; meurtrier, meurtrière, mortel, mortelle
police custody ; garde à vue
pre-trial detention, remanded in custody ; détention provisoire
life sentence, life imprisonment ; perpétuité, réclusion à perpétuité, prison à vie
death penalty, capital punishment ; peine de mort, peine capitale
sentenced to death ; condamné à mort, condamnée à mort
suspended sentence ; sursis, prison avec sursis
complaint, complaints ; plainte, plaintes, porté plainte, porter plainte
lawsuit, lawsuits ; action en justice, actions en justice
defendant, defendants, accused ; accusé, accusés, prévenu, prévenus
testimony, testified ; témoignage, témoignages, témoigné
investigating judge ; juge d'instruction
Supreme Court ; Cour suprême
appeals court, Court of Appeal ; cour d'appel
International Criminal Court, ICC ; Cour pénale internationale
arrest warrant ; mandat d'arrêt
freed, released from prison ; libéré, libérés, libérée, relâché, remis en liberté
prisoners, inmates, detainees ; prisonniers, détenus
police station ; commissariat, poste de police
seized ; saisi, saisie, saisis, saisies
hacker, hackers ; pirate informatique, pirates informatiques, hackeurs
cyberattack, cyber attack, cyberattacks ; cyberattaque, cyberattaques
ransom ; rançon
counter-terrorism, counterterrorism ; antiterroriste, lutte antiterroriste
jihadists, jihadist ; jihadistes, djihadistes, djihadiste
knife attack, stabbing ; attaque au couteau, agression au couteau
stabbed ; poignardé, poignardée
shot dead ; tué par balle, tuée par balle, tués par balles
shooting, shootings ; fusillade, fusillades
gunfire ; coups de feu, tirs
firearm, firearms ; arme à feu, armes à feu
knife ; couteau
arson ; incendie criminel, incendie volontaire
looting ; pillage, pillages
blackmail, extortion ; chantage, extorsion
kidnapping, abduction ; enlèvement, enlèvements
fugitive, on the run ; fugitif, en fuite
offence, offense, offences ; délit, délits, infraction, infractions
released on bail ; libération sous caution, libéré sous caution
house arrest ; assignation à résidence, assigné à résidence
police violence, police brutality ; violences policières
policeman, policewoman ; policier, policière
riot, riots ; émeute, émeutes
curfew ; couvre-feu
state of emergency ; état d'urgence
martial law ; loi martiale
tear gas ; gaz lacrymogène, gaz lacrymogènes
clashes ; affrontements, heurts
crackdown ; répression
crowd, crowds ; foule, foules
mayor, mayors ; maire, maires
governor, governors ; gouverneur, gouverneurs
interior minister ; ministre de l'Intérieur
defence minister, defense minister ; ministre de la Défense
finance minister ; ministre des Finances
reshuffle, cabinet reshuffle ; remaniement, remaniement ministériel
head of state ; chef de l'État
ruling party ; parti au pouvoir
far right, far-right ; extrême droite
far left, far-left ; extrême gauche
presidential election ; élection présidentielle, présidentielle
legislative elections, parliamentary elections ; élections législatives, législatives
municipal elections, local elections ; élections municipales, municipales
runoff, run-off, second round ; second tour
first round ; premier tour
polling station, polling stations ; bureau de vote, bureaux de vote
elected ; élu, élue, élus
outgoing, incumbent ; sortant, sortante, sortants
sworn in, swearing-in ; investiture, prestation de serment, prêté serment
impeachment ; destitution, procédure de destitution
no-confidence vote, vote of no confidence ; motion de censure, vote de défiance
military coup ; coup d'État, putsch
junta ; junte
rebels ; rebelles
insurgents ; insurgés
opponents ; opposants
political prisoner, political prisoners ; prisonnier politique, prisonniers politiques
hunger strike ; grève de la faim
checkpoint, checkpoints ; point de contrôle, postes de contrôle
envoy, envoys ; émissaire, émissaires, envoyé spécial
peace deal, peace agreement, peace accord ; accord de paix
humanitarian aid ; aide humanitaire
refugee camp ; camp de réfugiés
civilians ; civils
casualties ; pertes humaines
shelling, bombardment ; bombardement, bombardements, pilonnage
artillery shells ; obus, tirs d'obus
front line, frontline, front lines ; ligne de front
invade, invaded ; envahir, envahi, envahie
withdrawal, withdraw, withdrew, withdrawn ; retrait, retirer, retiré, retirés
reinforcements ; renforts
fighter jets, fighter jet, warplanes ; avion de chasse, avions de chasse, avions de combat
ammunition ; munitions
prisoners of war, POWs ; prisonniers de guerre
prisoner swap, prisoner exchange ; échange de prisonniers
war crimes ; crimes de guerre
security forces, law enforcement ; forces de l'ordre, forces de sécurité
intelligence services, intelligence agencies ; services de renseignement, renseignement
peacekeepers ; Casques bleus, soldats de la paix
shot down ; abattu, abattus, abattue
intercepted ; intercepté, interceptée, interceptés
veterans ; anciens combattants
rocket, rockets ; fusée, fusées, roquette, roquettes
slowdown ; ralentissement
layoffs, job cuts ; licenciements, suppressions d'emplois, suppressions de postes
laid off ; licencié, licenciés, licenciée
hire, hired, hiring ; embaucher, embauché, embauchés, embauche, embauches
recruit, recruited, recruitment ; recruter, recruté, recrutés, recrutement
bankruptcy, bankrupt ; faillite, en faillite
takeover, takeover bid ; rachat, prise de contrôle, OPA, offre publique d'achat
shareholders ; actionnaires
subsidiary, subsidiaries ; filiale, filiales
headquarters ; siège social, quartier général
carmaker, carmakers, automaker, automakers ; constructeur automobile, constructeurs automobiles
car plant ; usine automobile
steel ; acier
copper ; cuivre
gold medal ; médaille d'or
silver medal ; médaille d'argent
bronze medal ; médaille de bronze
rare earths ; terres rares
crude oil ; pétrole brut
barrel, barrels ; baril, barils
refinery, refineries ; raffinerie, raffineries
gas pipeline ; gazoduc
oil pipeline ; oléoduc
liquefied natural gas, LNG ; gaz naturel liquéfié, GNL
electricity ; électricité
power cut, power cuts, power outage ; coupure de courant, panne d'électricité, panne de courant
renewable energy, renewables ; énergies renouvelables, renouvelables
wind farm, wind farms ; parc éolien, parcs éoliens
wind turbines ; éoliennes
nuclear power plant, nuclear plant ; centrale nucléaire
fuel ; carburant, carburants
consumers ; consommateurs
purchasing power ; pouvoir d'achat
cost of living ; coût de la vie
rent, rents ; loyer, loyers
housing ; logement, logements
real estate, property market ; immobilier, marché immobilier
budget deficit, public deficit ; déficit public, déficit budgétaire
public debt, national debt ; dette publique
investors ; investisseurs
rate hike, rate hikes, rate rise ; hausse des taux, relèvement des taux
rate cut, rate cuts ; baisse des taux
currency, currencies ; monnaie, monnaies
exchange rate ; taux de change
tariffs, customs duties ; droits de douane, tarifs douaniers
customs ; douane, douanes, douaniers
trade war ; guerre commerciale
supply chain, supply chains ; chaîne d'approvisionnement, chaînes d'approvisionnement
shortage, shortages ; pénurie, pénuries
subsidies, subsidy ; subventions, subvention
bailout, rescue package ; plan de sauvetage, renflouement
state-owned enterprises, SOEs, state-owned companies ; entreprises publiques, sociétés d'État
net profit ; bénéfice net, résultat net
forecast, forecasts ; prévision, prévisions
airline, airlines ; compagnie aérienne, compagnies aériennes
cancelled, canceled ; annulé, annulés, annulée, annulées
delays, delayed ; retardé, retardés, en retard
drugmaker, drugmakers ; laboratoire pharmaceutique, laboratoires pharmaceutiques
artificial intelligence ; intelligence artificielle
social media, social networks ; réseaux sociaux
taxpayers ; contribuables
harvest, harvests ; récolte, récoltes
wheat ; blé
space agency ; agence spatiale
launch, launched ; lancer, lancé, lancée, lancés, lancement
astronaut, astronauts ; astronaute, astronautes
discovery, discovered ; découverte, découvert, découverts
endangered species ; espèces menacées
climate change ; changement climatique, dérèglement climatique
global warming ; réchauffement climatique
greenhouse gases ; gaz à effet de serre
carbon neutrality, net zero ; neutralité carbone, zéro émission nette
sea level ; niveau de la mer
wildfire, wildfires, forest fire ; feu de forêt, feux de forêt, incendie de forêt
torrential rain, heavy rain ; pluies torrentielles, fortes pluies
landslides, mudslides ; glissements de terrain, glissement de terrain, coulées de boue
volcano ; volcan
evacuated, evacuation ; évacué, évacués, évacuée
displaced, displaced people ; déplacés, personnes déplacées
homeless ; sans-abri, SDF
survivors ; survivants, rescapés
rubble ; décombres
disaster, disasters ; catastrophe, catastrophes
emergency services ; services de secours
cold snap, cold wave ; vague de froid
nurses ; infirmières, infirmiers
pandemic ; pandémie
infected ; infecté, infectés, contaminé, contaminés
heart attack ; crise cardiaque, infarctus
mental health ; santé mentale
medicines, medication ; médicaments, médicament
clinical trial, clinical trials ; essai clinique, essais cliniques
hospitalised, hospitalized ; hospitalisé, hospitalisés, hospitalisée
intensive care, ICU ; soins intensifs, réanimation
emergency room, emergency department ; urgences
bird flu, avian influenza ; grippe aviaire
flu, influenza ; grippe
measles ; rougeole
malaria ; paludisme
mpox, monkeypox ; variole du singe
abortion ; avortement, IVG
euthanasia, assisted dying, assisted suicide ; euthanasie, aide à mourir, suicide assisté
pregnant, pregnancy ; enceinte, grossesse
elderly, elderly people ; personnes âgées
pension reform ; réforme des retraites
pensioners, retirees ; retraités
lockdown ; confinement
poverty ; pauvreté
same-sex marriage, gay marriage ; mariage homosexuel, mariage pour tous
illegal immigration ; immigration clandestine, immigration illégale
undocumented migrants ; sans-papiers
asylum seekers ; demandeurs d'asile
residence permit ; titre de séjour, carte de séjour
secularism ; laïcité
mosque ; mosquée
priest, priests ; prêtre, prêtres
Muslim, Muslims ; musulman, musulmans, musulmane
Jews, Jewish ; juifs, juif, juive
young people, youth ; jeunes
teachers ; enseignants, professeurs
minimum wage ; salaire minimum, SMIC
strikers ; grévistes
volunteers ; bénévoles
NGO, NGOs ; ONG
residents, inhabitants ; habitants, riverains
funeral ; funérailles, obsèques
tribute, tributes ; hommage, hommages
mourning ; deuil
thousands ; milliers
hundreds ; centaines
dozens ; dizaines
filmmaker ; réalisateur, réalisatrice, cinéaste
actor, actress ; acteur, actrice, comédien, comédienne
writer, writers ; écrivain, écrivains, écrivaine
Nobel Peace Prize ; prix Nobel de la paix
Olympic Games, Olympics ; Jeux olympiques
World Cup ; Coupe du monde
referee ; arbitre
semi-final, semifinal, semi-finals ; demi-finale, demi-finales
quarter-final, quarterfinal, quarter-finals ; quart de finale, quarts de finale
world champion ; champion du monde, championne du monde
championship ; championnat
world record ; record du monde
victory, victories ; victoire, victoires
defeat, defeated ; défaite, battu, battue, battus
injury, injuries ; blessure, blessures
railway station, train station ; gare, gares
public transport ; transports en commun, transports publics
traffic jam, traffic jams ; embouteillage, embouteillages, bouchons
road accident ; accident de la route
plane crash ; accident d'avion, crash aérien
air traffic controllers, air traffic control ; contrôleurs aériens, contrôle aérien
driver, drivers ; conducteur, conductrice, conducteurs
motorists ; automobilistes
electric vehicles, electric cars ; véhicules électriques, voitures électriques
lorry, truck, trucks, lorries ; camion, camions, poids lourd, poids lourds
shipwreck, capsized ; naufrage, chaviré
airspace ; espace aérien
disappointed, disappointment ; déçu, déçus, déçue, déçues, déception
anger, angry ; colère, en colère
outraged ; indigné, indignée, indignés, scandalisé, scandalisés
fear, fears ; peur, peurs, crainte, craintes
worried, concerned ; inquiet, inquiète, inquiets, préoccupé, préoccupés
concern, concerns ; inquiétude, inquiétudes, préoccupation, préoccupations
shocked ; choqué, choquée, choqués, sous le choc
relieved ; soulagé, soulagée, soulagés
hope, hopes ; espoir, espoirs
criticised, criticized ; critiqué, critiquée, critiqués
denounced ; dénoncé, dénoncée, fustigé
welcomed, hailed ; salué, saluée
warned ; averti, a averti, alerté
announced ; annoncé, annoncée, a annoncé
denied ; démenti, a démenti, nié
claimed responsibility ; revendiqué, a revendiqué, revendication
promised, pledged, vowed ; promis, s'est engagé
urged ; exhorté, a exhorté, appelé à
demanded ; exigé, a exigé, réclamé
rejected ; rejeté, rejetée, refusé
approved, adopted ; approuvé, adopté, adoptée, validé
signed ; signé, signée, a signé
postponed ; reporté, reportée, ajourné
suspended ; suspendu, suspendue, suspendus
build, built ; construire, construit, construite, bâti
destroyed ; détruit, détruite, détruits
damaged ; endommagé, endommagée, endommagés
damage ; dégâts, dommages
invest, invested ; investir, investi, a investi
sell, sold ; vendre, vendu, vendue, cédé
appointed ; nommé, nommée, nommés
dismissed, ousted, sacked ; limogé, limogée, limogés, évincé
resigned, stepped down ; a démissionné, démissionné
fled ; fui, ont fui, enfui, enfuis
rescued ; secouru, secourus, sauvé, sauvés
drowned ; noyé, noyés, noyée
collapsed, collapse ; effondrement, effondré, s'est effondré
stranded, trapped ; bloqué, bloqués, coincé, coincés, piégés
soared, surged ; bondi, a bondi, flambé, envolée
plunged, plummeted, slumped ; a chuté, plongé, dégringolé
press conference ; conférence de presse
disinformation, misinformation, fake news ; désinformation, infox, fausses informations
press freedom, freedom of the press ; liberté de la presse
whistleblower ; lanceur d'alerte, lanceuse d'alerte
politicians ; hommes politiques, responsables politiques, politiciens
officials ; responsables, hauts responsables
civil servants ; fonctionnaires
authorities ; autorités
town hall, city hall ; mairie, hôtel de ville
National Assembly ; Assemblée nationale
European Commission ; Commission européenne
European Parliament ; Parlement européen
Security Council ; Conseil de sécurité
International Monetary Fund, IMF ; Fonds monétaire international, FMI
World Bank ; Banque mondiale
World Trade Organization, WTO ; Organisation mondiale du commerce, OMC
International Atomic Energy Agency, IAEA ; Agence internationale de l'énergie atomique, AIEA
Red Cross ; Croix-Rouge
OPEC ; OPEP
adviser, advisers, advisor ; conseiller, conseillers, conseillère
crown prince ; prince héritier
unprecedented ; sans précédent, inédit
"""
