/// The default policy compiled into the binary, byte for byte `policies/default.yaml` (a test keeps them equal).
public enum DefaultPolicy {
    /// The text of `policies/default.yaml`.
    public static let yaml = #"""
# Switchyard default policy: a local SmolLM2 first, hosted models only when their key is set.
#
# Relative paths resolve against this file's folder. A hosted route whose `api_key_env`
# variable is unset or empty is skipped at routing time (see docs/policy.md, "Unset keys").
version: 1

server:
  max_body_bytes: 1048576
  max_concurrent_requests: 256
  request_timeout_ms: 120000

models:
  smollm2-135m:
    kind: local
    path: ../.models/SmolLM2-135M-Instruct.Q4_1.gguf
    slots: 4
    context: 2048
    price_per_cpu_second: 0.00001
    timeout_ms: 60000
  gpt-4o-mini:
    kind: openai
    base_url: https://api.openai.com/v1
    api_key_env: OPENAI_API_KEY
    model: gpt-4o-mini
    price_per_million_input: 0.15
    price_per_million_output: 0.6
    context: 128000
    timeout_ms: 60000
    connect_timeout_ms: 5000
    retries: 2
  claude-haiku:
    kind: anthropic
    base_url: https://api.anthropic.com/v1
    api_key_env: ANTHROPIC_API_KEY
    model: claude-3-5-haiku-latest
    price_per_million_input: 0.8
    price_per_million_output: 4
    context: 200000
    timeout_ms: 60000
    connect_timeout_ms: 5000
    retries: 2

classes:
  unknown_below: 0.35
  model: classifier.swcm
  domains:
    math:
      keywords: [math, maths, mathematics, arithmetic, algebra, geometry, calculus, equation, solve for, integral,
        derivative, probability, fraction, percent, percentage, sum, total, product, multiply, divide, divided,
        remainder, how many, how much, average, ratio, triangle, circle, radius, area, perimeter, square root,
        prime number, polynomial, theorem, prove, matrix, vector, digits, twice as many, half as many, cost per,
        per hour, each, altogether, left over, numbers, integer, solve, x^2, logarithm, factorial, sequence,
        f(x), value of, evaluate, simplify, expression, inequality, slope, graph, coordinates, angle, degrees,
        minutes, hours, miles, apples, cookies, pages, students, twice, three times, how many more, fewer,
        determinant, eigenvalue, linear algebra, statistics, mean, median, mode, variance, standard deviation,
        chance, odds, coin, dice, heads, tails, combinations, permutations, factor, multiple, divisible,
        exponent, power, squared, cubed, decimal, round, estimate, convert units, centimeters, kilometers,
        speed, distance, rate, percent of, discount, proof by induction, limit, series, trigonometry, sine,
        cosine, tangent, hypotenuse, pythagorean, volume, cylinder, sphere, cube, calculate, computation]
      examples:
        - "A baker sells 24 muffins in the morning and twice as many in the afternoon. How many muffins does he sell in total?"
        - "Solve for x: 3x + 7 = 22."
        - "What is the area of a circle with a radius of 5 cm?"
        - "Find the derivative of f(x) = x^3 - 4x + 1."
        - "If a train travels 180 miles in 3 hours, what is its average speed?"
        - "Prove that the square root of 2 is irrational."
        - "Tom has 3 times as many marbles as Jane. Together they have 48. How many does Jane have?"
        - "What is the probability of rolling two sixes with a pair of dice?"
    code:
      keywords: [code, python, function, def, return, javascript, java, c++, rust, golang, sql, query, program,
        script, algorithm, implement, compile, bug, debug, error, exception, stack trace, api, class, method,
        variable, loop, array, list, string, integer list, regex, recursion, unit test, refactor, library,
        git, docker, bash, shell, html, css, json, parse, data structure, linked list, binary tree, sort,
        complexity, big o, write a function, ">>>", import, print, lambda, leetcode, github, repository,
        workflow, yaml, ci, pipeline, deploy, kubernetes, server, database, framework, compiler, syntax,
        snippet, output, input, returns, arguments, parameter, type, "null", index, iterate, node, tree,
        css, div, html, flexbox, react, vue, angular, typescript, node.js, npm, pip, package, dependency,
        rust, borrow checker, lifetime, cargo, go, goroutine, c#, .net, kotlin, swift, ios, android, linux,
        terminal, command line, grep, awk, xargs, cron, ssh, thread, threads, process, mutex, async, await,
        memory leak, segmentation fault, pointer, hashmap, dictionary, object, inheritance, interface,
        query, join, index, schema, migration, rest api, http, endpoint, json, xml, unit tests, testing,
        runtime error, stack overflow, performance, cache, build, makefile, cmake, version control, merge]
      examples:
        - "Write a Python function that returns the longest palindrome substring of a string."
        - "Why does my JavaScript fetch call return undefined?"
        - "Implement a binary search in C++."
        - "Write a SQL query that finds the top 5 customers by total order value."
        - "def is_prime(n):\n    \"\"\"Return True if n is a prime number.\"\"\""
        - "Refactor this Java class to use dependency injection."
        - "Write a function to remove duplicate elements from a list."
        - "How do I fix 'TypeError: NoneType object is not subscriptable' in Python?"
    medical:
      keywords: [medical, medicine, health, doctor, physician, nurse, patient, patients, disease, symptoms,
        symptom, diagnosis, treatment, therapy, drug, medication, dose, side effects, clinical, hospital,
        surgery, cancer, tumor, diabetes, infection, virus, bacteria, syndrome, disorder, genetic, gene,
        blood, heart, lung, kidney, liver, brain, pain, chronic, acute, pregnancy, vaccine, mortality,
        outcomes, trial, randomized, cohort, prognosis, inherited, risk factors, prevalence, pediatric,
        what are the symptoms, how to diagnose, what is (are) the treatments, study, methods, results,
        conclusions, participants, associated with, significantly, odds ratio, confidence interval,
        cells, cell, tissue, protein, receptor, mutation, cognitive, dementia, depression, anxiety,
        mental health, injury, fracture, stroke, asthma, allergy, antibiotics, prescription, nursing,
        clinic, emergency, older adults, children, elderly, weight loss, nutrition, diet, sleep, rash, itch,
        itching, skin, fever, cough, headache, migraine, nausea, vomiting, dizziness, fatigue, swelling,
        sore throat, flu, cold, covid, heart rate, blood pressure, cholesterol, pulse, antibiotic, amoxicillin,
        ibuprofen, paracetamol, acetaminophen, insulin, dosage, pills, alcohol and medication, recover,
        recovery, sprain, sprained, ankle, knee, back pain, joint, muscle, bone, stroke symptoms, heart
        attack, seizure, pregnant, pregnancy test, period, menstrual, vaccine side effects, dentist, tooth,
        eye, vision, ear, hearing, physiotherapy, x-ray, mri, blood test, lab results, infection signs]
      examples:
        - "What are the symptoms of Lyme disease?"
        - "Is it safe to take ibuprofen with blood pressure medication?"
        - "What are the treatments for type 2 diabetes?"
        - "Does early mobilization after hip surgery reduce hospital stay in elderly patients?"
        - "How is celiac disease diagnosed?"
        - "Is this condition inherited? What genes are related to it?"
        - "I've had a persistent cough and mild fever for two weeks. Should I see a doctor?"
        - "What are the common side effects of chemotherapy?"
    legal:
      keywords: [legal, law, lawyer, attorney, court, judge, lawsuit, sue, contract, clause, agreement,
        liability, landlord, tenant, lease, eviction, rights, statute, regulation, plaintiff, defendant,
        jurisdiction, custody, divorce, police, arrest, criminal, charges, evidence, hearsay, testimony,
        copyright, trademark, patent, employer, fired, discrimination, settlement, damages, negligence,
        will, estate, probate, immigration, visa, citizenship, legal advice, illegal, is it legal, terms of
        service, privacy policy, warranty, ruling, precedent, overruled, appeal, antitrust, competition law,
        laws, legislation, compliance, constitution, constitutional, supreme court, case law, prosecutor,
        sentence, prison, jail, bail, fine, ticket, dui, harassment, restraining order, tenant rights,
        small claims, notary, power of attorney, guardianship, inheritance, breach, violated, entitled,
        warrant, search, rights, miranda, overtime, wages, labor law, wrongful termination, unpaid,
        fair use, license, licensing, intellectual property, infringement, gdpr, data protection, consent,
        lease break, deposit, eviction notice, hoa, zoning, permit, liable, sued, subpoena, court date,
        lawyer fees, legal aid, prenup, alimony, child support, visitation, adoption, name change, notice]
      examples:
        - "My landlord is refusing to return my security deposit. What can I do?"
        - "Is a verbal agreement legally binding?"
        - "Can my employer fire me for taking medical leave?"
        - "Does this clause limit the company's liability for data breaches?"
        - "What is the difference between a misdemeanor and a felony?"
        - "I was rear-ended and the other driver's insurance won't pay. Should I sue?"
        - "Is the following statement hearsay? A witness testifies about what her neighbor told her."
        - "Which parties are bound by this contract?"
    finance:
      keywords: [finance, financial, money, invest, investing, investment, stock, stocks, shares, bond,
        bonds, dividend, portfolio, retirement, 401k, ira, roth, pension, tax, taxes, income, revenue,
        profit, loss, earnings, balance sheet, cash flow, assets, liabilities, equity, interest rate,
        mortgage, loan, credit, debt, bank, savings, inflation, market, trading, etf, mutual fund, fiscal,
        quarter, million, billion, fiscal year, net income, operating, expenses, depreciation, budget,
        capital, broker, options, economy, insurance, life insurance, premium, annuity, expense, business
        expense, deduction, irs, receipts, accounting, bookkeeping, invoice, payroll, salary, paycheck,
        credit card, credit score, fees, account, checking account, cash, currency, forex, crypto, bitcoin,
        federal reserve, central bank, printing money, fund, hedge fund, index fund, short selling,
        limit order, sell order, buy order, returns, yield, valuation, shareholders, ipo, gdp, recession,
        refinance, down payment, rent or buy, llc, self-employed, contractor, "1099", w-2, lease or buy,
        car loan, student loans, consolidate, interest, compound interest, apr, savings account, emergency
        fund, budgeting, net worth, p/e ratio, earnings per share, valuation, market cap, stock market,
        s&p 500, nasdaq, diversify, asset allocation, rebalance, brokerage, robo-advisor, financial advisor,
        invest, investing with, passive income, real estate investing, rental property, capital gains,
        tax return, tax bracket, deductible, withholding, pay off debt, credit union, wire transfer]
      examples:
        - "Should I pay off my mortgage early or invest in index funds?"
        - "What was the change in net revenue between 2018 and 2019?"
        - "How are dividends taxed in a Roth IRA?"
        - "Is it a good idea to buy stocks when the market is down?"
        - "What is the difference between a traditional and a Roth 401k?"
        - "Calculate the operating margin from the income statement below."
        - "How does inflation affect bond prices?"
        - "What percentage of total assets were current assets in 2019?"
    general:
      keywords: [write, essay, story, poem, email, blog post, letter, describe, explain, opinion, travel,
        recipe, movie, music, book, history, culture, sports, hobby, weather, friend, family, advice,
        imagine, pretend, role, character, you are, chat, hello, hi, favorite, fun, do you like, translate,
        rewrite, summarize, article, speech, philosophy, ideas, suggest, recommend, plan, trip, game, food,
        animals, riddle, who is, what do you think, etiquette, customs, traditions, manners, art, painting,
        poetry, novel, author, celebrity, tv show, fashion, garden, pets, holiday, birthday, wedding, party,
        learning, study tips, language, words, synonyms, grammar, creative, slogan, tweet, dialogue, joke,
        board games, games, family, kids activities, camping, packing list, hiking, vacation, weekend,
        toast, speech for, wedding toast, gift ideas, party ideas, playlist, song, lyrics, band, concert,
        painted, painting, artist, museum, famous, historical, war, king, queen, president, country,
        capital city, geography, science fact, space, planet, stars, dinosaurs, nature, cooking, baking,
        cleaning, home decor, relationships, dating, motivation, productivity, habits, hobbies]
      examples:
        - "Write a short poem about autumn leaves."
        - "Compose an engaging travel blog post about a trip to Hawaii."
        - "Do you like watching football on weekends?"
        - "Pretend you are a pirate and describe your ship."
        - "Suggest three fun things to do on a rainy day."
        - "Summarize the main ideas of the following paragraph."
        - "Who was the first person to walk on the moon?"
        - "Write a polite email declining a meeting invitation."
  tasks:
    qa:
      keywords: [what is, what are, who, when, where, which, why, is it, does, can i, should i, question]
      examples: ["What are the symptoms of anemia?", "Is it legal to record a phone call?"]
    reasoning:
      keywords: [how many, how much, calculate, compute, solve, prove, if, then, step by step, total, difference, change]
      examples: ["If Anna has 5 apples and gives away 2, how many are left?", "What was the percentage change in revenue?"]
    generation:
      keywords: [write, compose, create, draft, generate, story, poem, essay, blog, email, letter, slogan]
      examples: ["Write a haiku about the sea.", "Draft a cover letter for a marketing job."]
    extraction:
      keywords: [extract, list all, identify, find the, from the text, which parties, named, json, table]
      examples: ["Extract all company names from the following article.", "List the dates mentioned in this text."]
    classification:
      keywords: [classify, categorize, label, which category, is this, sentiment, answer yes or no, true or false]
      examples: ["Classify the sentiment of this review as positive or negative.", "Is the following clause a limitation of liability? Answer Yes or No."]
    summarization:
      keywords: [summarize, summary, tl;dr, in a few sentences, main points, shorten, condense]
      examples: ["Summarize this article in three sentences.", "Give me the main points of the passage below."]
    chat:
      keywords: [hi, hello, hey, how are you, do you like, let's talk, pretend, role-play, act as, you are]
      examples: ["Hey, have you seen any good movies lately?", "Act as a travel agent and help me plan a vacation."]
    code:
      keywords: [function, python, implement, code, program, script, def, return, class, bug, sql]
      examples: ["Write a function that reverses a linked list.", "Fix the bug in this JavaScript snippet."]

routes:
  local-direct:
    model: smollm2-135m
    reasoning: direct
  local-steps:
    model: smollm2-135m
    reasoning: step_by_step
  openai-mini:
    model: gpt-4o-mini
    reasoning: direct
  anthropic-haiku:
    model: claude-haiku
    reasoning: direct

rules:
  - name: hard-math-and-code
    match: { domain: [math, code], difficulty: hard }
    candidates: [local-steps, openai-mini, anthropic-haiku]
    strategy:
      kind: cascade
      accept: { min_mean_logprob: -0.6, min_token_logprob: -5.0, max_mean_entropy: 1.5 }
    constraints: { max_cost_usd: 0.05, latency_slo_ms: 20000 }
    fallbacks: [local-direct]
  - name: everything-else
    candidates: [local-direct, openai-mini, anthropic-haiku]
    strategy:
      kind: cascade
      accept: { min_mean_logprob: -1.0, max_mean_entropy: 2.0 }
    constraints: { max_cost_usd: 0.02, latency_slo_ms: 10000 }
    fallbacks: [local-steps]

objective:
  cost_weight: 10
  latency_weight: 0.01

logging:
  content: hash

"""#
}
