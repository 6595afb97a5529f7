"""Postman's dynamic variables (`{{$guid}}`, `{{$randomFirstName}}`...), by the name Postman
documents, to what makes their value: a Faker method (drawn from the engine's seeded pools,
so a value is the same for the same request and seed, as generated data is) or one of the
`special:` makers respond/render.py has (times, numbers, booleans)."""

from __future__ import annotations

DYNAMIC_VARIABLES: dict[str, str] = {
    # common
    "$guid": "special:uuid", "$randomUUID": "special:uuid", "$timestamp": "special:timestamp",
    "$isoTimestamp": "special:iso", "$randomAlphaNumeric": "special:alphanumeric",
    "$randomBoolean": "special:boolean", "$randomInt": "special:int",
    "$randomColor": "safe_color_name", "$randomHexColor": "hex_color",
    "$randomAbbreviation": "special:abbreviation",
    # internet and IP addresses
    "$randomIP": "ipv4", "$randomIPV6": "ipv6", "$randomMACAddress": "mac_address",
    "$randomPassword": "password", "$randomLocale": "locale", "$randomUserAgent": "user_agent",
    "$randomProtocol": "special:protocol", "$randomSemver": "special:semver",
    "$randomDomainName": "domain_name", "$randomDomainSuffix": "tld",
    "$randomDomainWord": "domain_word", "$randomEmail": "email",
    "$randomExampleEmail": "special:example_email", "$randomUserName": "user_name",
    "$randomUrl": "url",
    # names
    "$randomFirstName": "first_name", "$randomLastName": "last_name",
    "$randomFullName": "name", "$randomNamePrefix": "prefix", "$randomNameSuffix": "suffix",
    # profession
    "$randomJobArea": "special:job_area", "$randomJobDescriptor": "special:job_descriptor",
    "$randomJobTitle": "job", "$randomJobType": "special:job_type",
    # phone, address and location
    "$randomPhoneNumber": "phone_number", "$randomPhoneNumberExt": "phone_number",
    "$randomCity": "city", "$randomStreetName": "street_name",
    "$randomStreetAddress": "street_address", "$randomCountry": "country",
    "$randomCountryCode": "country_code", "$randomLatitude": "special:latitude",
    "$randomLongitude": "special:longitude",
    # images
    "$randomAvatarImage": "image_url", "$randomImageUrl": "image_url",
    "$randomAbstractImage": "image_url", "$randomAnimalsImage": "image_url",
    "$randomBusinessImage": "image_url", "$randomCatsImage": "image_url",
    "$randomCityImage": "image_url", "$randomFoodImage": "image_url",
    "$randomNightlifeImage": "image_url", "$randomFashionImage": "image_url",
    "$randomPeopleImage": "image_url", "$randomNatureImage": "image_url",
    "$randomSportsImage": "image_url", "$randomTransportImage": "image_url",
    "$randomImageDataUri": "special:data_uri",
    # finance
    "$randomBankAccount": "bban", "$randomBankAccountName": "special:account_name",
    "$randomCreditCardMask": "special:card_mask", "$randomBankAccountBic": "swift",
    "$randomBankAccountIban": "iban", "$randomTransactionType": "special:transaction",
    "$randomCurrencyCode": "currency_code", "$randomCurrencyName": "currency_name",
    "$randomCurrencySymbol": "currency_symbol", "$randomBitcoin": "special:bitcoin",
    "$randomPrice": "special:price",
    # business
    "$randomCompanyName": "company", "$randomCompanySuffix": "company_suffix",
    "$randomBs": "bs", "$randomBsAdjective": "special:bs_adjective",
    "$randomBsBuzz": "special:bs_buzz", "$randomBsNoun": "special:bs_noun",
    "$randomCatchPhrase": "catch_phrase", "$randomCatchPhraseAdjective": "special:adjective",
    "$randomCatchPhraseDescriptor": "special:job_descriptor",
    "$randomCatchPhraseNoun": "special:noun",
    # databases
    "$randomDatabaseColumn": "special:db_column", "$randomDatabaseType": "special:db_type",
    "$randomDatabaseCollation": "special:db_collation",
    "$randomDatabaseEngine": "special:db_engine",
    # dates
    "$randomDateFuture": "special:date_future", "$randomDatePast": "special:date_past",
    "$randomDateRecent": "special:date_recent", "$randomWeekday": "day_of_week",
    "$randomMonth": "month_name",
    # domains, emails and usernames (above); files and directories
    "$randomFileName": "file_name", "$randomFileType": "special:file_type",
    "$randomFileExt": "file_extension", "$randomCommonFileName": "file_name",
    "$randomCommonFileType": "special:file_type", "$randomCommonFileExt": "file_extension",
    "$randomFilePath": "file_path", "$randomDirectoryPath": "special:directory",
    "$randomMimeType": "mime_type",
    # stores
    "$randomProductName": "special:product_name", "$randomProduct": "special:noun",
    "$randomProductAdjective": "special:adjective", "$randomProductMaterial": "special:material",
    "$randomDepartment": "special:department",
    # grammar and lorem ipsum
    "$randomNoun": "special:noun", "$randomVerb": "special:verb",
    "$randomIngverb": "special:ingverb", "$randomAdjective": "special:adjective",
    "$randomWord": "word", "$randomWords": "special:words", "$randomPhrase": "sentence",
    "$randomLoremWord": "word", "$randomLoremWords": "special:words",
    "$randomLoremSentence": "sentence", "$randomLoremSentences": "special:sentences",
    "$randomLoremParagraph": "paragraph", "$randomLoremParagraphs": "special:paragraphs",
    "$randomLoremText": "text", "$randomLoremSlug": "slug", "$randomLoremLines": "special:lines",
}  # fmt: skip
