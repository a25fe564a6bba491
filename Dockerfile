# A container in which trapeze builds, its tests pass, the quick start
# runs and the debugger's full-screen mode works: for students on macOS or
# Windows (Docker Desktop or Podman), and for VS Code's Dev Containers
# (.devcontainer/devcontainer.json builds this file).
#
#   docker build -t trapeze .
#   docker run --rm -it trapeze ./quickstart.sh demo
#   docker run --rm -it trapeze                      # a shell, then e.g.
#       bin/trapeze debug --tui --vmm build/guestos.elf
#
# To work on your own copy of the sources instead of the image's, mount
# it: docker run --rm -it -v "$PWD":/home/student/trapeze trapeze
#
# Debian, with the packages quickstart.sh installs there (gcc make
# libcmocka-dev libreadline-dev libncurses-dev graphviz tmux), so the
# quick start finds nothing missing and needs no sudo; and what a student
# works with in a terminal: git, an editor with syntax colours (the PG32
# syntax file is installed by `make install`), man and bash completion.
FROM debian:bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc make libcmocka-dev libreadline-dev libncurses-dev graphviz tmux \
      libc6-dev git ca-certificates less man-db bash-completion vim \
 && rm -rf /var/lib/apt/lists/*

# The full-screen debugger (ncurses) and tmux need a terminal type and a
# UTF-8 locale; C.UTF-8 is built into Debian's libc.
ENV LANG=C.UTF-8 TERM=xterm-256color

# Work as an ordinary user, as on a student's own machine (quickstart.sh
# then needs no sudo: everything it would install is here).  UID 1000 is
# the first user of most Linux hosts, so files written into a mounted
# folder keep their owner.
# (The work folder is made here, as the user's: WORKDIR would make it
# root's, and the build could not write into it.)
RUN useradd --create-home --uid 1000 --shell /bin/bash student \
 && install -d -o student -g student /home/student/trapeze
USER student
WORKDIR /home/student/trapeze
COPY --chown=student:student . .

# Build once, so that the first `trapeze` command runs at once; install
# the man pages, the completion and the Vim files under ~/.local.
RUN make -j2 \
 && make install PREFIX=/home/student/.local \
 && printf '%s\n' 'export PATH="$HOME/.local/bin:$PATH"' \
      'export MANPATH="$HOME/.local/share/man:"' \
      '. "$HOME/.local/share/bash-completion/completions/trapeze"' \
      >> /home/student/.bashrc \
 && mkdir -p /home/student/.vim \
 && cp -r /home/student/.local/share/vim/vimfiles/* /home/student/.vim/

CMD ["bash"]
