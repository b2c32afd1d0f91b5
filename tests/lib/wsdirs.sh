# shellcheck shell=sh
# Wireshark's folders as `tshark -G folders` names them, never guessed (sourced by tests).
# 4.0 prints one "Extcap path" (the global one) and keeps personal extcaps in
# <Personal configuration>/extcap; 4.2 and later print "Personal Extcap path" and "Global Extcap
# path" (4.4: ~/.local/lib/wireshark/extcap; 4.6 looks under libexec).

# ws_folder LABEL < `tshark -G folders` output: the value of the line "LABEL:"
ws_folder() {
	sed -n "s/^$1:[[:space:]]*//p" | head -1
}

# ws_global_extcap_dir: where an installed extcap goes
ws_global_extcap_dir() {
	_f=$(tshark -G folders 2>/dev/null)
	_d=$(printf '%s\n' "$_f" | ws_folder 'Global Extcap path')
	[ -n "$_d" ] || _d=$(printf '%s\n' "$_f" | ws_folder 'Extcap path')
	printf '%s\n' "$_d"
}

# ws_personal_extcap_dir ASUSER HOME: the personal extcap folder of the test user whose home is
# HOME (ASUSER: tests/lib/asuser.sh); created, owned by the user
ws_personal_extcap_dir() {
	_f=$("$1" --wireshark "$2" -- tshark -G folders 2>/dev/null)
	_d=$(printf '%s\n' "$_f" | ws_folder 'Personal Extcap path')
	if [ -z "$_d" ]; then
		_c=$(printf '%s\n' "$_f" | ws_folder 'Personal configuration')
		[ -n "$_c" ] || _c=$2/.config/wireshark
		_d=$_c/extcap
	fi
	mkdir -p "$_d"
	"$1" --wireshark "$2" -- true
	printf '%s\n' "$_d"
}
