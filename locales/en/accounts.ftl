# Accounts: passwords, codes and access.
password_too_short = The password must have at least 8 characters. We recommend 15 or more: a phrase of several words is easy to remember and hard to guess.
password_too_long = The password can have at most 128 characters.
password_common = That password is one of the most used and is easily guessed. Choose another, for example a phrase of several words.
password_personal_data = The password cannot contain your NSS, CURP, RFC, name, e-mail or birth date. Choose another.
